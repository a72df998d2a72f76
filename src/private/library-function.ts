import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge, MANAGED_POLICY } from './acknowledge';

export interface LibraryFunctionProps {
  readonly codeDir: string;
  readonly description: string;
  readonly environment: Record<string, string>;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly logRetention: logs.RetentionDays;
}

/** Every Lambda of the library: Node 24 on arm64, X-Ray tracing, its own log group.
 * Handlers already write one JSON object per line, so the log format stays plain text. */
export function libraryFunction(scope: Construct, id: string, props: LibraryFunctionProps): lambda.Function {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
    retention: props.logRetention,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const fn = new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    code: lambda.Code.fromAsset(props.codeDir),
    handler: 'index.handler',
    description: props.description,
    environment: props.environment,
    timeout: props.timeout,
    memorySize: props.memorySize,
    tracing: lambda.Tracing.ACTIVE,
    logGroup,
  });
  acknowledge(fn, {
    [MANAGED_POLICY.lambdaBasicExecution]: 'The AWS managed basic execution policy only lets the function write its own CloudWatch logs.',
    'AwsSolutions-IAM5[Resource::*]': 'X-Ray active tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which take no resource.',
  });
  return fn;
}
