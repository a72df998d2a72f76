import { Annotations, ArnFormat, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * Encryption settings of each kind of resource: a customer managed key when one is given, else
 * AWS managed encryption. Queues use SSE-SQS rather than the AWS managed aws/sqs key, which SNS
 * cannot use to deliver to them.
 */
export function tableEncryption(key?: kms.IKey): Pick<dynamodb.TableProps, 'encryption' | 'encryptionKey'> {
  return key
    ? { encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: key }
    : { encryption: dynamodb.TableEncryption.AWS_MANAGED };
}

export function queueEncryption(key?: kms.IKey): Pick<sqs.QueueProps, 'encryption' | 'encryptionMasterKey'> {
  return key ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: key } : { encryption: sqs.QueueEncryption.SQS_MANAGED };
}

const keysAllowed = new WeakSet<kms.IKey>();

/**
 * CloudWatch Logs encrypts a log group with a customer managed key only if the key policy lets
 * its regional service principal use it, for this account's log groups
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html).
 * SNS's statement (to deliver to encrypted queues) is added by each queue's SqsSubscription.
 * An imported key's policy cannot be changed from here: a warning says what it must allow.
 */
export function allowServicesToUseKey(scope: Construct, key: kms.IKey): void {
  // Once per key, however many constructs use it.
  if (keysAllowed.has(key)) return;
  keysAllowed.add(key);
  const stack = Stack.of(scope);
  const { statementAdded } = key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowCloudWatchLogsOfThisAccount',
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: {
      ArnLike: {
        'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
      },
    },
  }), true);
  if (!statementAdded) {
    Annotations.of(scope).addWarningV2('cdk-event-sourced-api:importedEncryptionKey',
      'encryptionKey is imported, so its key policy cannot be changed here. It must let sns.amazonaws.com use kms:GenerateDataKey and kms:Decrypt ' +
      '(to deliver to the encrypted queues), and logs.<region>.amazonaws.com use kms:Encrypt*, kms:Decrypt*, kms:ReEncrypt*, kms:GenerateDataKey* ' +
      'and kms:Describe* (for the log groups), or deployment fails.');
  }
}
