/**
 * esbuild settings of every Lambda bundle: the library's own (built at build time by
 * scripts/bundle-lambdas.ts) and each projection's (built at synth time). Minified CommonJS for
 * Node 20+; the AWS SDK v3 is left to the Lambda runtime.
 */
export const LAMBDA_BUNDLE_OPTIONS: {
  bundle: boolean; minify: boolean; platform: 'node'; target: string; format: 'cjs'; external: string[]; legalComments: 'none';
} = {
  bundle: true,
  minify: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['@aws-sdk/*', '@smithy/*'],
  legalComments: 'none',
};
