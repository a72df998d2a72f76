#!/usr/bin/env bash
# What the npm package ships, checked on the tarball that `npx projen package:js` wrote into
# dist/js: the library's Lambda bundles and the bundled esbuild-wasm, and nothing else (never a
# development folder such as a virtualenv, .tools/ or test reports). Run by .ci/run and, after
# `npx projen build`, by the build and release workflows: a release publishes this tarball.
set -euo pipefail
cd "$(dirname "$0")/.."
tarball=$(ls dist/js/*.tgz | head -1)
listing=$(mktemp)
trap 'rm -f "$listing"' EXIT
tar -tzf "$tarball" > "$listing"
for asset in writer publisher reader maintenance aggregator-runtime operator event-schemas projection-check; do
  grep -q "^package/assets/$asset/index.js$" "$listing" || { echo "missing assets/$asset in $tarball"; exit 1; }
done
grep -q '^package/node_modules/esbuild-wasm/' "$listing" || { echo "esbuild-wasm is not bundled in $tarball"; exit 1; }
# projection.d.ts/.js: the type-only entry point cdk-event-sourced-api/projection.
grep -q '^package/projection.d.ts$' "$listing" || { echo "missing projection.d.ts (cdk-event-sourced-api/projection) in $tarball"; exit 1; }
stray=$(cut -d/ -f2 "$listing" | sort -u | grep -vxE 'package.json|README.md|LICENSE|API.md|\.jsii|\.jsii\.tabl\.json|lib|assets|node_modules|projection\.d\.ts|projection\.js' || true)
[ -z "$stray" ] || { echo "unexpected entries in $tarball: $stray"; exit 1; }
others=$(grep '^package/node_modules/' "$listing" | cut -d/ -f3 | sort -u | grep -vx 'esbuild-wasm' || true)
[ -z "$others" ] || { echo "unexpected bundled modules in $tarball: $others"; exit 1; }
echo "package ok: $tarball ($(du -h "$tarball" | cut -f1))"
