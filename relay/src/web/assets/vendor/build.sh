#!/usr/bin/env bash
# Rebuilds ../nostr.js from the pinned packages (package-lock.json): nostr-tools (pure, nip19,
# nip44, nip46, nip49) with the noble and scure cryptography it uses, and qrcode-generator.
# Run after changing a version; commit package-lock.json and ../nostr.js.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
{
  echo "// Vendored by relay/src/web/assets/vendor/build.sh from the versions in its package-lock.json:"
  echo "// nostr-tools (Unlicense), @noble/curves, @noble/hashes, @noble/ciphers, @scure/base (MIT,"
  echo "// Paul Miller), qrcode-generator (MIT, Kazuhiko Arase). Do not edit: rebuild."
  npx esbuild entry.js --bundle --format=esm --platform=browser --target=es2022 --legal-comments=inline
} > ../nostr.js
rm -rf node_modules
