/**
 * Makes templates of the same app synthesized from different languages comparable: asset hashes
 * (they depend on file contents, e.g. a JS vs a TS projection entry) become placeholders, and
 * the CDK's per-language analytics resource is dropped. Everything else must be equal.
 */
export function normalizeTemplate(template: any): any {
  const resources: Record<string, any> = {};
  for (const [id, resource] of Object.entries<any>(template.Resources ?? {})) {
    if (resource.Type === 'AWS::CDK::Metadata') continue;
    resources[id] = resource;
  }
  const conditions = { ...(template.Conditions ?? {}) };
  delete conditions.CDKMetadataAvailable;
  const rest = { ...template, Resources: resources, Conditions: Object.keys(conditions).length ? conditions : undefined };
  const json = JSON.stringify(rest, null, 1)
    .replace(/[0-9a-f]{64}(\.zip|\.json)?/g, (_m, ext: string | undefined) => `<asset-hash>${ext ?? ''}`);
  return JSON.parse(json);
}

/** The paths (a.b.c) where two JSON values differ, for a readable failure. */
export function differences(a: unknown, b: unknown, at = '$', out: string[] = []): string[] {
  if (out.length >= 20) return out;
  if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b) || a === null || b === null || typeof a !== 'object') {
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${at}: ${JSON.stringify(a)?.slice(0, 120)} != ${JSON.stringify(b)?.slice(0, 120)}`);
    return out;
  }
  const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
  for (const key of keys) differences((a as any)[key], (b as any)[key], `${at}.${key}`, out);
  return out;
}
