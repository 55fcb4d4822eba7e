#!/usr/bin/env bash
# Fetches the scikit-image wheel from PyPI (it bundles CC0 / public-domain sample photographs) and cuts two
# folders of real images from it: DIR/real_a and DIR/real_b. Usage: tools/fetch_images.sh [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-build/images}"
if [[ -f "$OUT/real_a/127.png" && -f "$OUT/real_b/127.png" ]]; then
  echo "images: already in $OUT"
  exit 0
fi
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/fidcpp"
mkdir -p "$CACHE/skimage"
WHEEL=$(ls "$CACHE"/skimage/scikit_image-0.26.0-*.whl 2>/dev/null | head -n 1 || true)
if [[ -z "$WHEEL" ]]; then
  python3 -m pip download -q --no-deps --only-binary=:all: -d "$CACHE/skimage" scikit-image==0.26.0
  WHEEL=$(ls "$CACHE"/skimage/scikit_image-0.26.0-*.whl | head -n 1)
fi
PY="$(tools/setup_python.sh --minimal | tail -n 1)"
"$PY" tools/make_image_sets.py --wheel "$WHEEL" --out "$OUT" --per-set 128
