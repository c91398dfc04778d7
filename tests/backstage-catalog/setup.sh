#!/usr/bin/env bash
# Installs Backstage's example catalog (the examples/ folder of @backstage/create-app's
# default app template) and @backstage/catalog-model's validators from npm into
# tests/backstage-catalog/node_modules, once. Versions are pinned in package.json; the
# files are used in place and never committed. Prints the examples directory.
set -euo pipefail
cd "$(dirname "$0")"
if [[ ! -d node_modules/@backstage/catalog-model || ! -d node_modules/@backstage/create-app || ! -d node_modules/yaml ]]; then
  npm install --no-audit --no-fund --ignore-scripts --loglevel=error >&2
fi
examples="$(pwd)/node_modules/@backstage/create-app/templates/default-app/examples"
[[ -f "$examples/entities.yaml" ]] || { echo "setup: no examples/entities.yaml in @backstage/create-app" >&2; exit 1; }
echo "$examples"
