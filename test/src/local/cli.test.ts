import { parseArgs } from '../../../src/local/cli';

describe('cdk-event-sourced-api local: arguments', () => {
  test('--chaos turns chaos mode on with a random seed; --chaos-seed replays one', () => {
    expect(parseArgs(['local'])).toEqual({ functionLogs: false });
    expect(parseArgs(['local', '--chaos'])).toEqual({ functionLogs: false, chaos: {} });
    expect(parseArgs(['local', '--chaos-seed', '1234'])).toEqual({ functionLogs: false, chaos: { seed: 1234 } });
    expect(parseArgs(['local', '--chaos', '--chaos-seed', '7'])).toMatchObject({ chaos: { seed: 7 } });
    expect(parseArgs(['local', '--chaos-seed', '7', '--chaos'])).toMatchObject({ chaos: { seed: 7 } });
  });

  test('a seed that is not a whole number, or missing, is refused with the option named', () => {
    expect(() => parseArgs(['local', '--chaos-seed', 'abc'])).toThrow('--chaos-seed needs a whole number, got "abc"');
    expect(() => parseArgs(['local', '--chaos-seed', '-5'])).toThrow('--chaos-seed needs a whole number');
    expect(() => parseArgs(['local', '--chaos-seed'])).toThrow('--chaos-seed needs a value');
  });

  test('the other options, help, and unknown ones', () => {
    expect(parseArgs(['local', '--app', 'npx ts-node app.ts', '--port', '3000', '--data', '.local', '--visibility-timeout', '200', '--function-logs']))
      .toEqual({ app: 'npx ts-node app.ts', port: 3000, dataDir: '.local', visibilityTimeoutMs: 200, functionLogs: true });
    expect(parseArgs([])).toBe('help');
    expect(parseArgs(['local', '--help'])).toBe('help');
    expect(() => parseArgs(['local', '--nope'])).toThrow('Unknown option "--nope"');
    expect(() => parseArgs(['serve'])).toThrow('Unknown command "serve"');
    expect(() => parseArgs(['local', '--app', 'x', '--assembly', 'y'])).toThrow('Use --app or --assembly, not both');
  });
});
