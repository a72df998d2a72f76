import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '../contract';
import { LogLevel } from '../log-level';
import { acknowledge, acknowledgeScanners, MANAGED_POLICY, SCANNER_REASONS } from './acknowledge';

export interface LibraryFunctionProps {
  /** `lambda.Code.fromAsset(assetDir(...))` for a prebuilt bundle, `generatedCode(...)` for one made at synth. */
  readonly code: lambda.Code;
  readonly description: string;
  readonly environment: Record<string, string>;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly logging: FunctionLogging;
  /** Encrypts the log group and the environment; the function may decrypt with it. */
  readonly encryptionKey?: kms.IKey;
}

/** Where a function's log lines go, and which of them it writes. */
export interface FunctionLogging {
  readonly retention: logs.RetentionDays;
  readonly level: LogLevel;
}

/** The logging props with their documented defaults: a month's retention, INFO. */
export function functionLogging(retention?: logs.RetentionDays, level?: LogLevel): FunctionLogging {
  return { retention: retention ?? logs.RetentionDays.ONE_MONTH, level: level ?? LogLevel.INFO };
}

/** Every Lambda of the library: Node 24 on arm64, X-Ray tracing, its own log group.
 * Handlers already write one JSON object per line, so the log format stays plain text. */
export function libraryFunction(scope: Construct, id: string, props: LibraryFunctionProps): lambda.Function {
  const key = props.encryptionKey;
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
    retention: props.logging.retention,
    removalPolicy: RemovalPolicy.DESTROY,
    encryptionKey: key,
  });
  const fn = new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    code: props.code,
    handler: 'index.handler',
    description: props.description,
    environment: { ...props.environment, [ENV.logLevel]: props.logging.level },
    environmentEncryption: key,
    timeout: props.timeout,
    memorySize: props.memorySize,
    tracing: lambda.Tracing.ACTIVE,
    logGroup,
  });
  // Lambda decrypts a customer-managed-key environment with the execution role.
  key?.grantDecrypt(fn);
  acknowledge(fn, {
    [MANAGED_POLICY.lambdaBasicExecution]: 'The AWS managed basic execution policy only lets the function write its own CloudWatch logs.',
    'AwsSolutions-IAM5[Resource::*]': 'X-Ray active tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which take no resource.',
    ...(key ? {
      'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]': 'The KMS actions CDK grants for SNS, SQS and DynamoDB envelope encryption, on the one encryptionKey only.',
      'AwsSolutions-IAM5[Action::kms:ReEncrypt*]': 'The KMS actions CDK grants for SQS and DynamoDB envelope encryption, on the one encryptionKey only.',
    } : {}),
  });
  acknowledgeScanners(fn, {
    checkov: {
      CKV_AWS_116: SCANNER_REASONS.lambdaDlq,
      CKV_AWS_117: SCANNER_REASONS.lambdaVpc,
      CKV_AWS_115: SCANNER_REASONS.lambdaConcurrency,
      ...(key ? {} : { CKV_AWS_173: SCANNER_REASONS.lambdaEnvironmentKey }),
    },
    cfnLint: { W3005: SCANNER_REASONS.redundantDependsOn },
  });
  if (!key) acknowledgeScanners(logGroup, { checkov: { CKV_AWS_158: SCANNER_REASONS.logGroupKey } });
  return fn;
}
