import * as fs from 'node:fs';
import * as path from 'node:path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * Lambda code made at synth (a bundled projection, the writer with its schemas), written by CDK's
 * local bundling straight into the cloud assembly, as aws-cdk-lib's NodejsFunction does: no
 * folder of ours in the system's temporary directory, on success or failure, and the assembly
 * holds the code even when asset staging is disabled. `hash` (of the files) is the asset's hash,
 * so an unchanged function is not redeployed. `sourceDir` must be a folder; nothing is read from
 * it (it is what CDK points at when a stack's bundling is skipped, as `cdk deploy OtherStack` does).
 */
export function generatedCode(sourceDir: string, files: Readonly<Record<string, string | Buffer>>, hash: string): lambda.Code {
  return lambda.Code.fromAsset(sourceDir, {
    assetHashType: AssetHashType.CUSTOM,
    assetHash: hash,
    bundling: {
      // Never pulled: tryBundle always succeeds, so CDK never falls back to Docker.
      image: DockerImage.fromRegistry('cdk-event-sourced-api-local-bundling-only'),
      local: {
        tryBundle(outputDir: string): boolean {
          for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(outputDir, name), content);
          return true;
        },
      },
    },
  });
}
