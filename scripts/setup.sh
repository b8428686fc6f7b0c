#!/usr/bin/env bash
# Installs what building and testing ASL Studio needs, only what is missing; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo is required (rustup toolchain 1.95 or newer)" >&2
  exit 1
fi
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt || true

if [ -f scripts/setup-web.sh ]; then
  bash scripts/setup-web.sh
fi

# cfn-lint, aws-sam-translator and python-hcl2 check the templates and Terraform we write.
bash scripts/setup-validators.sh

# Neovim: its built-in LSP client is the real editor in the language server's end-to-end test.
if ! command -v nvim >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then apt_get="apt-get"; else apt_get="sudo apt-get"; fi
  $apt_get update && $apt_get install -y neovim
fi
