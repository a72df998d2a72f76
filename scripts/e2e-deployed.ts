/**
 * npm run e2e:deployed -- --stack NAME --type EVENT_TYPE [--view NAME] [--data JSON]
 *     [--region R] [--profile P] [--api PATH] [--url URL] [--signing-region R] [--header 'Name: value'] [--stream-id-field F] [--direct]
 *
 * Runs the HTTP contract suite (scripts/e2e/contract.ts), the one the tests run against the local
 * runtime, against a deployed EventSourcedApi. The stack says where its API is and whether its
 * routes use IAM; then every request is signed with SigV4 (the AWS SDK's default credentials, which
 * need execute-api:Invoke: grantAppend() and grantRead()). With --url, any URL (a mounted API, the
 * local runtime); add --signing-region to sign, and --direct when POST / is WritePath.DIRECT (a
 * stack says so itself). Exits 1 when a check fails.
 */
import { parseArgs } from 'node:util';
import { runContract } from './e2e/contract';
import { findDeployedApi } from './e2e/deployed-api';
import { contractRequest } from './e2e/signed-request';

const USAGE = 'usage: npm run e2e:deployed -- (--stack NAME | --url URL) --type EVENT_TYPE [--view default] [--data JSON] [--region R] [--profile P] ' +
  '[--api PATH] [--signing-region R] [--header "Name: value"] [--stream-id-field id] [--direct]';

export async function main(argv: string[], print: (line: string) => void = console.log): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'stack': { type: 'string' },
      'url': { type: 'string' },
      'region': { type: 'string' },
      'profile': { type: 'string' },
      'api': { type: 'string' },
      'type': { type: 'string' },
      'view': { type: 'string', default: 'default' },
      'data': { type: 'string', default: '{}' },
      'signing-region': { type: 'string' },
      'header': { type: 'string', multiple: true, default: [] },
      'stream-id-field': { type: 'string', default: 'id' },
      'direct': { type: 'boolean', default: false },
    },
  });
  if ((values.stack === undefined) === (values.url === undefined) || values.type === undefined) {
    print(USAGE);
    return 2;
  }
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(values.data!);
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new Error('not an object');
  } catch (err) {
    print(`--data must be a JSON object: ${String((err as Error).message)}`);
    return 2;
  }
  const headers: Record<string, string> = {};
  for (const header of values.header!) {
    const at = header.indexOf(':');
    if (at < 1) {
      print(`--header "${header}" is not "Name: value"`);
      return 2;
    }
    headers[header.slice(0, at).trim()] = header.slice(at + 1).trim();
  }

  const target = values.stack !== undefined
    ? await findDeployedApi({ stack: values.stack, region: values.region, profile: values.profile, api: values.api })
    : { url: values.url!, signingRegion: values['signing-region'], owner: values.url!, direct: values.direct! };
  const notes = [target.signingRegion && `SigV4, ${target.signingRegion}`, target.direct && 'WritePath.DIRECT'].filter(Boolean);
  print(`e2e: ${target.owner} at ${target.url}${notes.length ? ` (${notes.join('; ')})` : ''}`);
  const results = await runContract({
    request: contractRequest({ baseUrl: target.url, signingRegion: target.signingRegion, headers }),
    view: values.view!,
    eventType: values.type,
    data,
    streamIdField: values['stream-id-field'],
    direct: target.direct,
  });
  for (const r of results) print(`${r.ok ? '✓' : '✗'} ${r.name}${r.detail ? `\n    ${r.detail}` : ''}`);
  const failed = results.filter((r) => !r.ok).length;
  print(`${results.length - failed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (err: unknown) => {
    console.error(`e2e: ${String((err as Error)?.message ?? err)}`);
    process.exit(2);
  });
}
