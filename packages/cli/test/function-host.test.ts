import * as fs from 'node:fs';
import * as path from 'node:path';
import { removeTempDirs, tempDir } from '../../../test/support/local-app';
import { childCount, threadCount } from '../../../test/support/sandboxes';
import { FunctionDefinition } from '../src/cloud-assembly';
import { FunctionHostOptions, InvocationError, LocalFunction, sdkNodePath } from '../src/function-host';
import { findFunctionNode } from '../src/function-node';

const HANDLER_SOURCE = `
let invocations = 0;
exports.handler = async (event, context) => {
  invocations++;
  return {
    event,
    invocations,
    own: process.env.OWN_VAR,
    base: process.env.BASE_VAR,
    overridden: process.env.SHARED_VAR,
    functionName: context.functionName,
    envFunctionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    remaining: context.getRemainingTimeInMillis(),
    sdk: typeof require('@aws-sdk/client-dynamodb').DynamoDBClient,
  };
};
exports.fails = async () => { const e = new TypeError('bad input'); throw e; };
exports.hangsOnRequest = async (event) => {
  if (event.hang) return new Promise(() => {});
  if (event.delayMs) await new Promise((resolve) => setTimeout(resolve, event.delayMs));
  return { invocations: ++invocations };
};
exports.logs = async () => { console.log('line one'); console.error('line two'); return 'ok'; };
exports.environment = async () => ({ ...process.env });
exports.circular = async () => { const o = { a: 1 }; o.self = o; return o; };
// What the handler was given, and every value in it that JSON would not give (its path and kind).
exports.shapes = async (event) => {
  const unlike = [];
  const walk = (value, at) => {
    if (value === undefined) unlike.push(at + ': undefined');
    if (value === null || typeof value !== 'object') return;
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== Array.prototype) unlike.push(at + ': ' + value.constructor.name);
    for (const key of Object.keys(value)) walk(value[key], at + '.' + key);
  };
  walk(event, '$');
  return { event, unlike };
};
exports.answers = async (event) => {
  if (event.kind === 'nothing') return undefined;
  if (event.kind === 'bigint') return { n: 1n };
  return { gone: undefined, fn: () => 1, symbol: Symbol('s'), date: new Date(0), list: [undefined, () => 1], bytes: Buffer.from('hi'), kept: 1 };
};
exports.whereAmI = async () => ({ pid: process.pid, node: process.versions.node, timezoneOffset: new Date(2026, 0, 1).getTimezoneOffset() });
exports.tagged = async (event) => {
  console.log('start', event.n);
  await new Promise((resolve) => setTimeout(resolve, event.delayMs));
  console.error(JSON.stringify({ level: 'error', n: event.n }));
  if (event.fail) throw new Error('failed ' + event.n);
  return event.n;
};
`;

// The child processes run on Node 24 from node_modules (the `node` devDependency) when this
// process is another Node, else on this process's own binary.
const node24 = findFunctionNode('nodejs24.x', { currentVersion: process.versions.node, searchFrom: [process.cwd()] });
const childBinary = node24?.binary ?? process.execPath;

const HOSTS = [
  { kind: 'worker thread', nodeBinaries: undefined, sandboxCount: threadCount },
  { kind: 'child process', nodeBinaries: { 'nodejs24.x': childBinary }, sandboxCount: childCount },
] as const;

describe.each(HOSTS)('LocalFunction in a $kind', ({ kind, nodeBinaries, sandboxCount }) => {
  let codeDir: string;
  const functions: LocalFunction[] = [];
  const lines: Array<[string, string]> = [];

  const make = (handler: string, timeoutSeconds = 3, baseEnvironment: Record<string, string> = {}): LocalFunction => {
    const definition: FunctionDefinition = {
      logicalId: `Fn${functions.length}`,
      codeDir,
      handler,
      timeoutSeconds,
      environment: { OWN_VAR: 'own', SHARED_VAR: 'from the function' },
      runtime: 'nodejs24.x',
    };
    const fn = new LocalFunction(definition, {
      baseEnvironment: { BASE_VAR: 'base', SHARED_VAR: 'from the host', ...baseEnvironment },
      nodePath: sdkNodePath(),
      onLog: (id, line) => lines.push([id, line]),
      nodeBinaries,
    });
    functions.push(fn);
    return fn;
  };

  beforeAll(() => {
    codeDir = tempDir();
    fs.writeFileSync(path.join(codeDir, 'index.js'), HANDLER_SOURCE);
  });

  afterAll(async () => {
    for (const fn of functions) await fn.stop();
    removeTempDirs();
  });

  test(`runs the handler in a ${kind} with its environment, the host environment on top, and the AWS SDK resolvable`, async () => {
    const fn = make('index.handler');
    const result = await fn.invoke<any>({ hello: 'world' });
    expect(result).toMatchObject({
      event: { hello: 'world' },
      own: 'own',
      base: 'base',
      overridden: 'from the host',
      functionName: 'Fn0',
      envFunctionName: 'Fn0',
      sdk: 'function',
    });
    expect(result.remaining).toBeGreaterThan(2000);
    expect(result.remaining).toBeLessThanOrEqual(3000);
    // The sandbox has its own environment: the test process's is untouched.
    expect(process.env.OWN_VAR).toBeUndefined();
  });

  test(kind === 'worker thread'
    ? 'a worker thread runs on this process\'s Node and clock'
    : 'a child process runs on the given Node binary, with the clock its TZ says', async () => {
    const fn = make('index.whereAmI', 3, { TZ: 'Asia/Tokyo' });
    const where = await fn.invoke<{ pid: number; node: string; timezoneOffset: number }>({});
    if (kind === 'worker thread') {
      expect(where).toEqual({ pid: process.pid, node: process.versions.node, timezoneOffset: new Date(2026, 0, 1).getTimezoneOffset() });
    } else {
      const binaryVersion = childBinary === process.execPath ? process.versions.node : node24!.version;
      expect(where).toEqual({ pid: expect.any(Number), node: binaryVersion, timezoneOffset: -540 });
      expect(where.pid).not.toBe(process.pid);
    }
  });

  test('the handler gets the event as JSON, as from Lambda\'s runtime API: binary as base64, no undefined, Dates as ISO strings', async () => {
    const fn = make('index.shapes');
    const plain = { a: [1, 'x', null, { b: true }], when: new Date(0), gone: undefined, list: [undefined, 2] };
    const plainResult = await fn.invoke<any>(plain);
    expect(plainResult).toStrictEqual({ event: JSON.parse(JSON.stringify(plain)), unlike: [] });

    // A DynamoDB stream record's binary attributes as the DynamoDB Streams SDK gives them.
    const record = { dynamodb: { NewImage: { body: { B: new Uint8Array([104, 105]) }, set: { BS: [Buffer.from('x'), new Uint8Array([0, 255])] } } } };
    const recordResult = await fn.invoke<any>({ Records: [record] });
    expect(recordResult).toStrictEqual({ event: { Records: [{ dynamodb: { NewImage: { body: { B: 'aGk=' }, set: { BS: ['eA==', 'AP8='] } } } }] }, unlike: [] });
  });

  test('the answer crosses as JSON, as the Node.js runtime sends it: what JSON drops is dropped, undefined is null', async () => {
    const fn = make('index.answers');
    expect(await fn.invoke({ kind: 'fields' })).toStrictEqual({ date: '1970-01-01T00:00:00.000Z', list: [null, null], bytes: { type: 'Buffer', data: [104, 105] }, kept: 1 });
    expect(await fn.invoke({ kind: 'nothing' })).toBeNull();
  });

  test('an answer JSON cannot hold (a BigInt, a cycle) fails the invocation, as the Node.js runtime fails it', async () => {
    await expect(make('index.answers').invoke({ kind: 'bigint' })).rejects.toMatchObject({ errorType: 'Error', message: expect.stringContaining('Unable to stringify response body') });
    await expect(make('index.circular').invoke({})).rejects.toMatchObject({ errorType: 'Error', message: expect.stringContaining('Unable to stringify response body') });
  });

  test('a warm sandbox keeps module state between invocations', async () => {
    const fn = make('index.handler');
    const counts = [];
    for (let i = 0; i < 3; i++) counts.push((await fn.invoke<any>({})).invocations);
    expect(counts).toEqual([1, 2, 3]);
  });

  test('a handler that throws rejects with an InvocationError carrying the error type', async () => {
    const fn = make('index.fails');
    const error = await fn.invoke({}).catch((e) => e);
    expect(error).toBeInstanceOf(InvocationError);
    const id = fn.definition.logicalId;
    expect(error).toMatchObject({ functionId: id, errorType: 'TypeError', message: `${id}: bad input` });
  });

  test('a handler that runs past its timeout is stopped; the next invocation gets a fresh sandbox and is not failed by the old one', async () => {
    const fn = make('index.hangsOnRequest', 1);
    expect((await fn.invoke<any>({})).invocations).toBe(1);
    expect((await fn.invoke<any>({})).invocations).toBe(2);
    const started = Date.now();
    await expect(fn.invoke({ hang: true })).rejects.toMatchObject({ errorType: 'Sandbox.Timedout', message: expect.stringContaining('timed out after 1.00 seconds') });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    // Invoked at once, while the timed-out sandbox is still being terminated: module state starts over.
    expect((await fn.invoke<any>({})).invocations).toBe(1);
  });

  test('an invocation cut short (chaos) names the function\'s timeout, as Lambda does, and how long it actually ran', async () => {
    const fn = make('index.hangsOnRequest', 3);
    const started = Date.now();
    await expect(fn.invoke({ hang: true }, { timeoutMs: 30 })).rejects.toMatchObject({
      errorType: 'Sandbox.Timedout',
      message: `${fn.definition.logicalId}: Task timed out after 3.00 seconds (chaos: cut short after 30 ms)`,
    });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  test('a timeout fails only its own invocation: the sandbox finishes the others it runs, then ends', async () => {
    const fn = make('index.hangsOnRequest', 2);
    expect((await fn.invoke<any>({})).invocations).toBe(1);
    const hang = fn.invoke({ hang: true });
    const hangOutcome = hang.catch((e) => e);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // Started a second after the one that will time out, on the same sandbox; done after it timed out.
    const slow = fn.invoke<any>({ delayMs: 1500 });
    expect(await hangOutcome).toMatchObject({ errorType: 'Sandbox.Timedout' });
    // A new invocation goes to a fresh sandbox while the old one still runs `slow`.
    expect((await fn.invoke<any>({})).invocations).toBe(1);
    const sandboxesWithBoth = sandboxCount();
    expect((await slow).invocations).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sandboxCount()).toBe(sandboxesWithBoth - 1);
    expect((await fn.invoke<any>({})).invocations).toBe(2);
  });

  test('a missing handler export fails the invocation instead of hanging', async () => {
    const fn = make('index.nothing', 2);
    await expect(fn.invoke({})).rejects.toMatchObject({ errorType: 'Runtime.ExitError' });
  });

  test('stdout and stderr lines go to onLog', async () => {
    const fn = make('index.logs');
    expect(await fn.invoke({})).toBe('ok');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(lines.filter(([id]) => id === fn.definition.logicalId).map(([, line]) => line)).toEqual(expect.arrayContaining(['line one', 'line two']));
  });

  test('each invocation gets the lines it logged, even when invocations overlap; a failure carries them too', async () => {
    const fn = make('index.tagged');
    const [slow, fast, failed] = await Promise.all([
      fn.invokeWithLogs({ n: 1, delayMs: 150 }),
      fn.invokeWithLogs({ n: 2, delayMs: 10 }),
      fn.invokeWithLogs({ n: 3, delayMs: 50, fail: true }).catch((e: InvocationError) => e),
    ]);
    expect(slow).toEqual({ result: 1, logs: ['start 1', '{"level":"error","n":1}'] });
    expect(fast).toEqual({ result: 2, logs: ['start 2', '{"level":"error","n":2}'] });
    expect(failed).toBeInstanceOf(InvocationError);
    expect((failed as InvocationError).logs).toEqual(['start 3', '{"level":"error","n":3}']);
  });

  test('the variables Lambda sets, with the values the template implies', async () => {
    const fn = new LocalFunction({
      logicalId: 'OrdersWriter',
      codeDir,
      handler: 'index.environment',
      timeoutSeconds: 3,
      environment: { OWN_VAR: 'own', AWS_REGION: 'set-by-user' },
      runtime: 'nodejs24.x',
      memorySize: 512,
      logGroupName: '/custom/orders-writer',
      region: 'eu-west-1',
    }, { baseEnvironment: {}, nodePath: sdkNodePath(), nodeBinaries } satisfies FunctionHostOptions);
    functions.push(fn);
    const env = await fn.invoke<Record<string, string>>({});
    expect(env).toMatchObject({
      OWN_VAR: 'own',
      AWS_REGION: 'eu-west-1', // reserved: Lambda's value wins
      AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_LAMBDA_FUNCTION_NAME: 'OrdersWriter',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
      AWS_LAMBDA_LOG_GROUP_NAME: '/custom/orders-writer',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      _HANDLER: 'index.environment',
      LAMBDA_TASK_ROOT: codeDir,
      TZ: ':UTC',
    });
    expect(env.AWS_LAMBDA_LOG_STREAM_NAME).toMatch(/^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
  });
});
