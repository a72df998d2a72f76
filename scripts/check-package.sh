#!/usr/bin/env bash
# What the npm packages ship, checked on the tarballs in dist/js and dist/cli (`npx projen package:js` and
# `npx projen package:cli`): the library's Lambda bundles and the bundled esbuild-wasm, and no
# local runtime; the CLI's bundles, types and declared dependencies; and nothing else (never a
# development folder such as a virtualenv, .tools/ or test reports). Run by .ci/run and, after
# `npx projen build`, by the build and release workflows: a release publishes these tarballs.
set -euo pipefail
cd "$(dirname "$0")/.."
tarball=$(ls dist/js/cdk-event-sourced-api@*.tgz | head -1)
listing=$(mktemp)
trap 'rm -f "$listing"' EXIT
tar -tzf "$tarball" > "$listing"
for asset in writer publisher reader maintenance aggregator-runtime event-schemas projection-check projection-spec; do
  grep -q "^package/assets/$asset/index.js$" "$listing" || { echo "missing assets/$asset in $tarball"; exit 1; }
done
grep -q '^package/node_modules/esbuild-wasm/' "$listing" || { echo "esbuild-wasm is not bundled in $tarball"; exit 1; }
# projection.d.ts/.js: the type-only entry point cdk-event-sourced-api/projection.
grep -q '^package/projection.d.ts$' "$listing" || { echo "missing projection.d.ts (cdk-event-sourced-api/projection) in $tarball"; exit 1; }
# testing.d.ts/.js: the projection test kit cdk-event-sourced-api/testing.
for file in testing.d.ts testing.js lib/testing/index.js; do
  grep -qx "package/$file" "$listing" || { echo "missing $file (cdk-event-sourced-api/testing) in $tarball"; exit 1; }
done
stray=$(cut -d/ -f2 "$listing" | sort -u | grep -vxE 'package.json|README.md|LICENSE|API.md|\.jsii|\.jsii\.tabl\.json|lib|assets|node_modules|projection\.d\.ts|projection\.js|testing\.d\.ts|testing\.js' || true)
[ -z "$stray" ] || { echo "unexpected entries in $tarball: $stray"; exit 1; }
others=$(grep '^package/node_modules/' "$listing" | cut -d/ -f3 | sort -u | grep -vx 'esbuild-wasm' || true)
[ -z "$others" ] || { echo "unexpected bundled modules in $tarball: $others"; exit 1; }
# The local runtime and the operator commands live in the CLI package only.
! grep -qE '^package/(lib/local/|assets/operator/)' "$listing" || { echo "the local runtime or operator code is in $tarball"; exit 1; }
! grep -q '"bin"' <(tar -xzOf "$tarball" package/package.json) || { echo "$tarball declares a bin: the CLI package has it"; exit 1; }
echo "package ok: $tarball ($(du -h "$tarball" | cut -f1))"

# The CLI package: its bin and test harness (esbuild bundles), their types, and its manifest.
cli=$(ls dist/cli/cdk-event-sourced-api-cli-*.tgz | head -1)
tar -tzf "$cli" > "$listing"
for file in lib/cli.js lib/index.js lib/types/packages/cli/src/index.d.ts lib/types/src/contract.d.ts README.md LICENSE package.json; do
  grep -qx "package/$file" "$listing" || { echo "missing $file in $cli"; exit 1; }
done
stray=$(cut -d/ -f2 "$listing" | sort -u | grep -vxE 'package.json|README.md|LICENSE|lib' || true)
[ -z "$stray" ] || { echo "unexpected entries in $cli: $stray"; exit 1; }
# Same version as the library, which it names as its (optional) peer.
node -e '
  const [lib, cli] = process.argv.slice(1).map((f) => JSON.parse(require("child_process").execFileSync("tar", ["-xzOf", f, "package/package.json"])));
  const problems = [];
  if (cli.version !== lib.version) problems.push(`version ${cli.version} is not the library version ${lib.version}`);
  if (cli.peerDependencies?.[lib.name] !== lib.version) problems.push(`peer ${lib.name}@${cli.peerDependencies?.[lib.name]} is not ${lib.version}`);
  if (!cli.peerDependenciesMeta?.[lib.name]?.optional) problems.push("the peer is not optional (npx would install aws-cdk-lib)");
  if (cli.bin?.["cdk-event-sourced-api"] !== "lib/cli.js") problems.push("no cdk-event-sourced-api bin");
  if (problems.length) { console.error(`${process.argv[2]}: ${problems.join("; ")}`); process.exit(1); }
' "$tarball" "$cli"
echo "package ok: $cli ($(du -h "$cli" | cut -f1))"
