#!/usr/bin/env bash
# Installs what the tests need beyond npm, from Debian's packages: Chromium (Playwright drives it; we never
# download a browser of our own), and g++ + oneDNN's headers so the native kernels (native/onednn) are built and
# their tests run against tfjs's reference kernels (node-gyp also needs make and python3). Safe to run again: installs
# only what is missing. Debian's PyTorch (python3-torch, python3-numpy, libopenblas0-pthread) runs the PyTorch engine's tests
# (LAB_SKIP_TORCH=1 leaves it out).
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

missing=()
if ! { command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || [ -n "${LAB_CHROMIUM:-}" ]; }; then
  missing+=(chromium)
fi
if [ "${LAB_SKIP_NATIVE:-0}" != "1" ]; then
  command -v g++ >/dev/null 2>&1 || missing+=(g++)
  command -v make >/dev/null 2>&1 || missing+=(make)
  command -v python3 >/dev/null 2>&1 || missing+=(python3)   # node-gyp needs both
  [ -f /usr/include/oneapi/dnnl/dnnl.hpp ] || missing+=(libdnnl-dev)
fi
# The PyTorch engine's tests (src/main/torch-engine) and the torch peer run Debian's PyTorch on /usr/bin/python3.
if [ "${LAB_SKIP_TORCH:-0}" != "1" ] && ! { [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import torch, numpy' >/dev/null 2>&1; }; then
  missing+=(python3-torch python3-numpy libopenblas0-pthread)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing from Debian's packages: ${missing[*]}…"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# npm's postinstall may have run before oneDNN was installed: build the native kernels now if they are absent.
if [ "${LAB_SKIP_NATIVE:-0}" != "1" ] && [ ! -f native/onednn/build/Release/lab_onednn.node ]; then
  npm run build:native
fi
