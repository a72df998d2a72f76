#!/usr/bin/env bash
# Makes .venv with the pinned template scanners of requirements-dev.txt, or leaves it as it is
# when it already matches that file (a stamp holds the file's hash).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv
stamp="$venv/.requirements-dev.sha256"
want=$(sha256sum requirements-dev.txt | cut -d' ' -f1)
if [ -x "$venv/bin/cfn-lint" ] && [ -x "$venv/bin/checkov" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  exit 0
fi
echo "python-tools: installing requirements-dev.txt into $venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r requirements-dev.txt
echo "$want" > "$stamp"
"$venv/bin/cfn-lint" --version
"$venv/bin/checkov" --version
