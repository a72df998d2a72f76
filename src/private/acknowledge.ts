import { CfnResource, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Records, on the construct, why a security rule's finding is accepted, under CDK's
 * acknowledged-rules metadata key: cdk-nag (v3) reads it, and the library needs no dependency
 * on cdk-nag. Written directly rather than through `Validations.acknowledge()`, which refuses
 * cdk-nag's finding ids that contain "::" (e.g. managed policy ARNs).
 */
export function acknowledge(scope: IConstruct, findings: Record<string, string>): void {
  scope.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, { ...findings });
}

export const MANAGED_POLICY = {
  lambdaBasicExecution: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
  apiGatewayLogs: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
};

/** Findings of template scanners that a resource accepts, by rule id, each with its reason. */
export interface ScannerFindings {
  /** checkov check ids (CKV_AWS_...). */
  readonly checkov?: Record<string, string>;
  /** cfn-lint rule ids (W3005...). */
  readonly cfnLint?: Record<string, string>;
}

/**
 * Writes accepted findings into the resource's CloudFormation metadata, where checkov
 * (`Metadata.checkov.skip`) and cfn-lint (`Metadata.cfn-lint.config.ignore_checks`) read them: a
 * user who scans their own template sees the same result, and the reason next to the resource.
 * Adds to what is there already.
 */
export function acknowledgeScanners(scope: IConstruct, findings: ScannerFindings): void {
  const resource = scope.node.defaultChild;
  if (!resource || !CfnResource.isCfnResource(resource)) throw new Error(`${scope.node.path} has no CloudFormation resource to acknowledge findings on`);
  const checkov = Object.entries(findings.checkov ?? {});
  if (checkov.length > 0) {
    const skip = (resource.getMetadata('checkov') as { skip?: Array<{ id: string; comment: string }> } | undefined)?.skip ?? [];
    resource.addMetadata('checkov', { skip: [...skip, ...checkov.map(([id, comment]) => ({ id, comment }))] });
  }
  const cfnLint = Object.entries(findings.cfnLint ?? {});
  if (cfnLint.length > 0) {
    const config = (resource.getMetadata('cfn-lint') as { config?: { ignore_checks?: string[]; reasons?: Record<string, string> } } | undefined)?.config;
    resource.addMetadata('cfn-lint', {
      config: {
        ignore_checks: [...(config?.ignore_checks ?? []), ...cfnLint.map(([id]) => id)],
        // Not read by cfn-lint: the reasons, for whoever reads the template.
        reasons: { ...config?.reasons, ...Object.fromEntries(cfnLint) },
      },
    });
  }
}

/** Reasons shared by every resource of a kind. */
export const SCANNER_REASONS = {
  lambdaDlq: 'Invoked synchronously by API Gateway or by an event source mapping, whose failures go to the SQS dead-letter queues and the stream on-failure queue; an asynchronous-invocation DLQ would never receive anything.',
  lambdaVpc: 'Calls only AWS service endpoints (DynamoDB, SNS) and holds no network resources; a VPC adds NAT or endpoint costs without protecting anything. Place the functions in a VPC with an Aspect if your policy requires it.',
  lambdaConcurrency: 'Concurrency is bounded by the event sources (one stream reader per shard, SQS batches) and by the API stage throttling; a reserved limit would only add throttling.',
  lambdaEnvironmentKey: 'The environment holds resource names and settings, no secrets, and Lambda encrypts it at rest with an AWS managed key. Pass encryptionKey to use a customer managed key.',
  logGroupKey: 'CloudWatch Logs encrypts log data at rest by default. Pass encryptionKey to use a customer managed key.',
  tableKey: 'Encrypted at rest with the AWS managed DynamoDB key. Pass encryptionKey to use a customer managed key.',
  queueKey: 'Encrypted at rest with SSE-SQS (SqsManagedSseEnabled), which checkov\'s CloudFormation check does not recognise (bridgecrewio/checkov#7381). Pass encryptionKey to use a customer managed key.',
  apiCaching: 'A stage cache would answer with views older than the table, breaking read-your-writes and paging; every GET reads DynamoDB, which is fast and scales on demand.',
  redundantDependsOn: 'CDK writes DependsOn on the function\'s role, which the Role attribute already implies; the extra edge is harmless.',
};
