#!/usr/bin/env bash
# Installs the Debian packages fidcpp needs (when missing) and builds it.
# Usage: tools/setup.sh [--build-dir DIR] [-- extra cmake args]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=build
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build-dir) BUILD_DIR="$2"; shift 2 ;;
    --) shift; break ;;
    *) echo "setup.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

PKGS=(build-essential cmake pkg-config libgtest-dev libbenchmark-dev libjpeg62-turbo-dev libpng-dev libwebp-dev libtiff-dev libstb-dev
      zlib1g-dev libopenblas-dev liblapack-dev python3 python3-venv python3-pip unzip
      openmpi-bin libopenmpi-dev)  # Open MPI: the FIDCPP_MPI build and the `mpi` tests
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# MPI when it is installed (it is, above): a fidcpp without MPI refuses to run under mpirun/srun
# (docs/metrics-extra.md "Safe scale-out"). -DFIDCPP_MPI=OFF after -- turns it off.
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DFIDCPP_MPI=AUTO "$@"
cmake --build "$BUILD_DIR" -j"$(nproc)"
