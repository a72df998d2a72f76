import { Validations } from 'aws-cdk-lib';
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
