import { toHttpAnswer } from '../src/proxy-response';
import { TokenBucket } from '../src/token-bucket';

describe('toHttpAnswer: a Lambda proxy answer as API Gateway sends it', () => {
  test('headers and multiValueHeaders merge, without case: multi values first, in their casing; Set-Cookie keeps every value', () => {
    const answer = toHttpAnswer({
      statusCode: 200,
      headers: { 'test-multi': 'value-solo', 'X-Single': 'one', 'Set-Cookie': 'c=3', 'flag': true },
      multiValueHeaders: { 'tesT-Multi': ['value-multi'], 'Set-Cookie': ['a=1', 'b=2'], 'x-dup': ['same'] },
      body: 'ok',
    }, undefined, []);
    expect(answer.headers).toEqual({
      'tesT-Multi': ['value-multi', 'value-solo'],
      'Set-Cookie': ['a=1', 'b=2', 'c=3'],
      'x-dup': 'same',
      'X-Single': 'one',
      'flag': 'true',
    });
    expect(toHttpAnswer({ statusCode: 200, headers: { a: 'x' }, multiValueHeaders: { A: ['x'] } }, undefined, []).headers).toEqual({ A: 'x' });
  });

  test('a base64 body is sent as bytes only when the first Accept type is a binary media type; else as its base64 text', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]);
    const result = { statusCode: 200, body: png.toString('base64'), isBase64Encoded: true };
    expect(toHttpAnswer(result, 'image/png', ['image/png']).body).toEqual(png);
    expect(toHttpAnswer(result, 'image/png, text/html', ['image/*']).body).toEqual(png);
    expect(toHttpAnswer(result, 'text/html, image/png', ['image/png']).body).toBe(png.toString('base64'));
    expect(toHttpAnswer(result, '*/*', ['image/png']).body).toBe(png.toString('base64'));
    expect(toHttpAnswer(result, undefined, ['image/png']).body).toBe(png.toString('base64'));
    expect(toHttpAnswer(result, 'image/png', []).body).toBe(png.toString('base64'));
  });

  test('a status given as a string is read; answers API Gateway cannot read throw (502)', () => {
    expect(toHttpAnswer({ statusCode: '201', body: '' }, undefined, []).statusCode).toBe(201);
    for (const bad of [null, 'text', [], { body: 'no status' }, { statusCode: 200.5 }, { statusCode: 200, body: { a: 1 } },
      { statusCode: 200, multiValueHeaders: { a: 'not a list' } }, { statusCode: 200, extra: 1 }]) {
      expect(() => toHttpAnswer(bad, undefined, [])).toThrow();
    }
  });
});

describe('TokenBucket', () => {
  test('a burst, then the rate: one token per 1/rate seconds, never more than the burst', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 3, () => now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    now += 99;
    expect(bucket.take()).toBe(false);
    now += 1;
    expect(bucket.take()).toBe(true);
    now += 60_000;
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
  });
});
