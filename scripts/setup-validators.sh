#!/usr/bin/env bash
# Installs the real tools that check what ASL Studio writes (idempotent): cfn-lint and
# aws-sam-translator for templates, python-hcl2 for Terraform, into a virtual environment at
# .venv-validators/ (git-ignored). Tests find its python through ASL_STUDIO_VALIDATORS_PYTHON or
# that path; they fail, not skip, when it is missing, so run this script (scripts/test.sh does).
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv-validators
# Pinned so that a verdict does not change under us between runs.
requirements=(
  "cfn-lint==1.58.0"
  "aws-sam-translator==1.115.0"
  "python-hcl2==8.1.4"
)

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
stamp="$venv/.installed"
wanted=$(printf '%s\n' "${requirements[@]}")
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${requirements[@]}"
  printf '%s' "$wanted" > "$stamp"
fi
"$venv/bin/python" -c 'import cfnlint, samtranslator, hcl2' 
