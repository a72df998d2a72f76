/**
 * An API mounted on a resource of the user's REST API (`api.existingApiResource`) is served locally
 * where AWS serves it: under that resource's path, not at the root.
 */
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { removeTempDirs, startLocalApp, StartedApp, tempDir, VERSION_LOG_PROJECTION, writeProjection } from '../../../test/support/local-app';
import { expectedTour, streamHistoryTour } from '../../../test/support/stream-history';

let app: StartedApp;

beforeAll(async () => {
  const entry = writeProjection(tempDir('es-local-mounted-'), 'log', VERSION_LOG_PROJECTION);
  app = await startLocalApp({
    props: (stack) => {
      const shop = new apigateway.RestApi(stack, 'ShopApi');
      shop.root.addMethod('GET', new apigateway.MockIntegration(), { authorizationType: apigateway.AuthorizationType.IAM });
      return { projections: [{ name: 'default', entry }], api: { existingApiResource: shop.root.addResource('shop').addResource('orders') } };
    },
  });
}, 120_000);

afterAll(async () => {
  await app?.runtime.stop();
  removeTempDirs();
});

test('POST and GET under /shop/orders, as the template mounts them; the root is not the construct\'s', async () => {
  const stored = await app.client.request('POST', '/shop/orders/', JSON.stringify({ type: 'Created', id: 'o-1' }));
  expect(stored.status).toBe(201);
  await app.runtime.waitUntilIdle(60_000);
  const record = await app.client.get('/shop/orders/default/o-1');
  expect([record.status, record.json.version]).toEqual([200, 1]);
  expect((await app.client.get('/shop/orders')).status).toBe(200);
  for (const path of ['/default/o-1', '/shop/default/o-1', '/shop/orders/default/o-1/x']) {
    const missing = await app.client.get(path);
    expect([path, missing.status, missing.json]).toEqual([path, 403, { message: 'Missing Authentication Token' }]);
  }
  // The user's own routes (here GET /) are not served locally: only the construct's.
  const atRoot = await app.client.post({ type: 'Created', id: 'o-2' });
  expect(atRoot.status).toBe(403);
});

test('GET /shop/orders/streams/{id}: the stream\'s events under the mount, paged; 404 JSON without events; /shop/orders/default/streams is a record', async () => {
  for (const n of [1, 2, 3]) {
    const stored = await app.client.request('POST', '/shop/orders/', JSON.stringify({ type: 'Updated', id: 'h-1', n }));
    expect(stored.status).toBe(201);
  }
  expect(await streamHistoryTour(app.client, '/shop/orders', 'h-1')).toEqual(expectedTour('h-1', [1, 2, 3].map((n) => ({ type: 'Updated', schemaVersion: 1, data: { n } }))));
  expect((await app.client.get('/streams/h-1')).status).toBe(403);
});
