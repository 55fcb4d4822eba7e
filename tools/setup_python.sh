#!/usr/bin/env bash
# Creates the Python virtual environment holding the *reference* implementations (tests and benchmarks only;
# the library and CLI never need Python). Prints the interpreter path on the last line.
# Usage: tools/setup_python.sh [--minimal | --runtimes]
#   --minimal:  numpy + Pillow only, enough to make the image sets
#   --runtimes: the references plus ONNX Runtime and OpenVINO (tools/bench_cpu_runtimes.py)
set -euo pipefail
VENV="${FIDCPP_VENV:-$HOME/.cache/fidcpp/venv}"
MINIMAL=0
RUNTIMES=0
[[ "${1:-}" == "--minimal" ]] && MINIMAL=1
[[ "${1:-}" == "--runtimes" ]] && RUNTIMES=1
if [[ ! -x "$VENV/bin/python" ]]; then
  mkdir -p "$(dirname "$VENV")"
  python3 -m venv "$VENV"
fi
PY="$VENV/bin/python"
need() { "$PY" -c "import $1" >/dev/null 2>&1; }
if ! need numpy || ! need PIL; then
  "$PY" -m pip install -q numpy pillow >&2
fi
if [[ $MINIMAL -eq 0 ]]; then
  if ! need torch || ! need torch_fidelity || ! need torchmetrics || ! need pytorch_fid || ! need scipy; then
    # Pinned so reference values are reproducible; see tests/data/README.md.
    "$PY" -m pip install -q torch==2.15.0 torchvision==0.29.2 torch-fidelity==0.4.0 torchmetrics==1.9.0 \
      pytorch-fid==0.3.0 scipy numpy pillow >&2
  fi
  if ! need prdc || ! need sklearn; then
    # Density/coverage reference (tools/ref_dc.py); scikit-learn computes its distances, so it is pinned too.
    "$PY" -m pip install -q prdc==0.2 scikit-learn==1.9.1 >&2
  fi
fi
if [[ $RUNTIMES -eq 1 ]] && { ! need onnxruntime || ! need openvino || ! need onnx; }; then
  "$PY" -m pip install -q onnxruntime==1.32.0 openvino==2026.4.1 onnx==1.23.2 >&2
fi
echo "$PY"
