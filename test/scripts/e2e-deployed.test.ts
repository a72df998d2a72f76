/**
 * `npm run e2e:deployed`: the HTTP contract suite passes against the local runtime, whichever front
 * door (REST, HTTP API, routes mounted on the user's API), and fails, naming the check, against a
 * server that only pretends. The deployed path (finding the API of a stack) runs against the
 * CloudFormation stand-in (CloudFormation has no local implementation here).
 */
import * as http from 'node:http';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { listenOnLoopback, closeServer } from '../../packages/cli/src/loopback-server';
import { main } from '../../scripts/e2e-deployed';
import { ApiKind, EventSourcedApiProps, WritePath } from '../../src';
import { removeTempDirs, startLocalApp, StartedApp } from '../support/local-app';
import { twoViews } from '../support/synth';

afterAll(() => removeTempDirs());

const EXAMPLE_EVENT = ['--type', 'CustomerRegistered', '--data', '{"name":"E2E"}'];

describe.each<[string, EventSourcedApiProps | ((stack: any) => EventSourcedApiProps), string, string[]]>([
  ['a REST API', { projections: twoViews() }, '/', []],
  ['an HTTP API', { projections: twoViews(), api: { kind: ApiKind.HTTP } }, '/', []],
  ['routes mounted on the user\'s API', (stack) => ({
    projections: twoViews(), api: { existingApiResource: new apigateway.RestApi(stack, 'Shop').root.addResource('customers') },
  }), '/customers/', []],
  ['a REST API appending without a Lambda (WritePath.DIRECT)', { projections: twoViews(), api: { writePath: WritePath.DIRECT } }, '/', ['--direct']],
])('the contract suite against the local runtime serving %s', (_name, props, path, flags) => {
  let app: StartedApp;
  beforeAll(async () => { app = await startLocalApp({ props }); }, 120_000);
  afterAll(async () => { await app?.runtime.stop(); });

  test('every check passes', async () => {
    const lines: string[] = [];
    const code = await main(['--url', `${app.runtime.url}${path}`, ...EXAMPLE_EVENT, ...flags], (line) => lines.push(line));
    expect(lines.filter((l) => l.startsWith('✗'))).toEqual([]);
    expect(lines.filter((l) => l.startsWith('✓'))).toHaveLength(10);
    expect(lines.at(-1)).toBe('10 passed, 0 failed');
    expect(code).toBe(0);
  });
});

describe('the suite is not vacuous', () => {
  test('a server that answers 201 {} to everything fails, each failure naming what was expected', async () => {
    const server = http.createServer((_req, res) => res.writeHead(201, { 'Content-Type': 'application/json' }).end('{}'));
    const url = await listenOnLoopback(server, 0);
    try {
      const lines: string[] = [];
      const code = await main(['--url', `${url}/`, ...EXAMPLE_EVENT], (line) => lines.push(line));
      expect(code).toBe(1);
      expect(lines.filter((l) => l.startsWith('✗')).length).toBeGreaterThanOrEqual(8);
      expect(lines.join('\n')).toContain('✗ the same eventId for another event is refused with 422\n    expected 422 with a message, got 201 {}');
    } finally {
      await closeServer(server);
    }
  });

  test('bad arguments print the usage and exit 2', async () => {
    const lines: string[] = [];
    expect(await main(['--url', 'http://127.0.0.1:1/'], (l) => lines.push(l))).toBe(2);
    expect(await main(['--stack', 'S', '--url', 'http://x/', '--type', 'T'], (l) => lines.push(l))).toBe(2);
    expect(await main(['--url', 'http://x/', '--type', 'T', '--data', '[1]'], (l) => lines.push(l))).toBe(2);
    expect(lines[0]).toMatch(/^usage: npm run e2e:deployed/);
    expect(lines.at(-1)).toMatch(/--data must be a JSON object/);
  });
});
