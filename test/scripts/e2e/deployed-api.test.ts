/**
 * Finding a deployed EventSourcedApi's URL, and whether to sign, from its stack. CloudFormation has
 * no local implementation here: the stand-in answers from the synthesized templates, with a
 * physical name for every resource.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { findDeployedApi } from '../../../scripts/e2e/deployed-api';
import { ApiAuthorization, ApiKind, EventSourcedApi, EventSourcedApiProps, WritePath } from '../../../src';
import { cloudFormationStandIn } from '../../support/cloudformation-stand-in';
import { removeTempDirs, tempDir } from '../../support/local-app';
import { twoViews } from '../../support/synth';
import { synthApp } from '../../support/templates';

afterAll(() => removeTempDirs());

/** A stack of EventSourcedApis as CloudFormation would describe it once deployed: physical id "phys-<logical id>". */
function deployed(build: (stack: Stack) => void) {
  const app = new App({ outdir: tempDir('es-e2e-') });
  const stack = new Stack(app, 'Shop');
  build(stack);
  const assembly = synthApp(app);
  return cloudFormationStandIn({
    assemblyDir: assembly.directory, stackName: 'Shop', template: assembly.getStackByName('Shop').template, physicalName: (id) => `phys-${id.toLowerCase()}`,
  }).client;
}

const one = (props: EventSourcedApiProps) => deployed((stack) => new EventSourcedApi(stack, 'Orders', { projections: twoViews(), ...props }));

test('a REST API with IAM authorization: its stage\'s URL, signed for the region', async () => {
  const api = await findDeployedApi({ stack: 'Shop', region: 'eu-west-1' }, one({}));
  expect(api).toEqual({
    owner: 'Shop/Orders', url: expect.stringMatching(/^https:\/\/phys-ordersapi[0-9a-f]+\.execute-api\.eu-west-1\.amazonaws\.com\/prod\/$/), signingRegion: 'eu-west-1', direct: false,
  });
});

test('an API appending without a Lambda (WritePath.DIRECT) is found, and known as DIRECT', async () => {
  const api = await findDeployedApi({ stack: 'Shop', region: 'eu-west-1' }, one({ api: { writePath: WritePath.DIRECT } }));
  expect(api).toMatchObject({ owner: 'Shop/Orders', signingRegion: 'eu-west-1', direct: true });
});

test('an HTTP API on a named stage without authorization: unsigned', async () => {
  const api = await findDeployedApi({ stack: 'Shop', region: 'us-east-2' }, one({ api: { kind: ApiKind.HTTP, stageName: 'v1', authorization: ApiAuthorization.none() } }));
  expect(api.url).toMatch(/^https:\/\/phys-ordershttpapi[0-9a-f]+\.execute-api\.us-east-2\.amazonaws\.com\/v1\/$/);
  expect(api.signingRegion).toBeUndefined();
});

test('several APIs: --api picks one, and without it the error names them', async () => {
  const client = deployed((stack) => {
    new EventSourcedApi(stack, 'Orders', { projections: twoViews() });
    new EventSourcedApi(stack, 'Returns', { api: { kind: ApiKind.HTTP } });
  });
  await expect(findDeployedApi({ stack: 'Shop', region: 'eu-west-1' }, client)).rejects.toThrow(/stack Shop has 2 EventSourcedApis: name one with --api \(Shop\/Orders, Shop\/Returns\)/);
  expect((await findDeployedApi({ stack: 'Shop', region: 'eu-west-1', api: 'Returns' }, client)).url).toMatch(/phys-returnshttpapi[0-9a-f]+\.execute-api\.eu-west-1\.amazonaws\.com\/prod\/$/);
  await expect(findDeployedApi({ stack: 'Shop', region: 'eu-west-1', api: 'Nope' }, client)).rejects.toThrow(/No EventSourcedApi "Nope" in stack Shop/);
});

test('routes mounted on the user\'s API, or no API: the error says to pass --url', async () => {
  const client = deployed((stack) => new EventSourcedApi(stack, 'Orders', {
    projections: twoViews(), api: { existingApiResource: new apigateway.RestApi(stack, 'ShopApi').root.addResource('orders') },
  }));
  await expect(findDeployedApi({ stack: 'Shop', region: 'eu-west-1' }, client)).rejects.toThrow(/has no API of its own .*pass the routes' URL with --url/);
});
