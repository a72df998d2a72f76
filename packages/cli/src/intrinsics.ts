/** What a logical id stands for locally: its Ref value and its attributes. */
export interface LocalResource {
  readonly ref: string;
  readonly attributes?: Record<string, string>;
}

/** The pseudo parameters of a stack deployed to this region and account. */
export function pseudoParameters(region: string, account: string, stackName: string): Record<string, string> {
  return {
    'AWS::Region': region,
    'AWS::AccountId': account,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': stackName,
  };
}

/**
 * Resolves the CloudFormation intrinsics CDK writes into Lambda environments (Ref, Fn::GetAtt,
 * Fn::Join, Fn::Select) to local values. Anything else is an error naming the intrinsic.
 */
export function resolveIntrinsics(value: unknown, resources: Record<string, LocalResource>, pseudo: Record<string, string>): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'object' || value === null) throw new Error(`Cannot resolve ${JSON.stringify(value)}`);
  const obj = value as Record<string, unknown>;
  if ('Ref' in obj) {
    const id = obj.Ref as string;
    if (pseudo[id] !== undefined) return pseudo[id];
    const resource = resources[id];
    if (!resource) throw new Error(`Ref to ${id}, which the local runtime does not run`);
    return resource.ref;
  }
  if ('Fn::GetAtt' in obj) {
    const [id, attribute] = obj['Fn::GetAtt'] as [string, string];
    const found = resources[id]?.attributes?.[attribute];
    if (found === undefined) throw new Error(`Fn::GetAtt ${id}.${attribute}, which the local runtime does not know`);
    return found;
  }
  if ('Fn::Join' in obj) {
    const [separator, parts] = obj['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => resolveIntrinsics(part, resources, pseudo)).join(separator);
  }
  if ('Fn::Select' in obj) {
    const [index, list] = obj['Fn::Select'] as [number, unknown[]];
    return resolveIntrinsics(list[index], resources, pseudo);
  }
  throw new Error(`Unsupported intrinsic ${Object.keys(obj).join(', ')}`);
}
