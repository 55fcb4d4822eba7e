#!/usr/bin/env bash
# Runs every tools/ref_*.py generator with the reference venv, writing into the build's refdata/ folder, where
# the tests look for them (FIDCPP_REF_DIR). Every ref_*.py takes --out DIR; an oracle that a test runs itself
# with its own arguments (oracle_*.py) must not be named ref_*.py. Usage: tools/make_references.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${1:-build}"
OUT="$BUILD_DIR/refdata"
PY="$(tools/setup_python.sh | tail -n 1)"
mkdir -p "$OUT"
export FIDCPP_IMAGES="${FIDCPP_IMAGES:-$BUILD_DIR/images}"
# ref_dc.py also reads ref_real.py's features, so it runs last.
for gen in $(ls tools/ref_*.py | grep -vx tools/ref_dc.py) tools/ref_dc.py; do
  echo "references: $gen"
  start=$(date +%s)
  PYTHONPATH=tools "$PY" "$gen" --out "$OUT"
  echo "references: $gen done in $(( $(date +%s) - start )) s"
done
