#!/usr/bin/env bash
# Installs the lab as a user would and runs it from an unrelated directory: `npm pack` (prepack builds out/),
# `npm install -g` of the tarball into a temporary prefix (runtime dependencies only, no TypeScript loader),
# then, from a fresh folder under /tmp: `lab doctor`, `lab demo`, `lab train`, `lab evaluate`, `lab tune --steps 1`
# and a run trained through `lab serve`'s WebSocket API with its token. Everything it writes is in one temporary
# folder, removed at the end. Exits non-zero at the first step that fails, naming it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d /tmp/lab-install-test.XXXXXX)"
trap 'rm -rf "$work"' EXIT
t0=$(date +%s)
step() { echo; echo "[test-install +$(( $(date +%s) - t0 ))s] $*"; }

step "npm pack (prepack builds out/)"
(cd "$root" && npm pack --pack-destination "$work" --silent >"$work/pack.txt")
tgz="$work/$(tail -n 1 "$work/pack.txt")"
ls -l "$tgz"

step "npm install -g --prefix $work/prefix $(basename "$tgz")"
# onnxruntime-node would otherwise fetch CUDA libraries at install (the checkout's .npmrc says skip; this is not it).
npm_config_onnxruntime_node_install_cuda=skip \
  npm install -g --prefix "$work/prefix" "$tgz" --prefer-offline --no-audit --no-fund --loglevel=error
lab="$work/prefix/bin/lab"
pkg="$work/prefix/lib/node_modules/image-classification-lab"
if [ -e "$pkg/node_modules/tsx" ]; then echo "tsx was installed with the runtime dependencies" >&2; exit 1; fi
sample="$pkg/resources/sample"

export LAB_HOME="$work/home"
mkdir -p "$work/elsewhere"
cd "$work/elsewhere"

step "lab doctor"
"$lab" doctor

step "lab demo"
"$lab" demo

step "lab train <sample> --epochs 1"
"$lab" train "$sample" --epochs 1 --json >"$work/train.jsonl"
run=$(node -e 'const l=require("fs").readFileSync(process.argv[1],"utf8").trim().split("\n").map(JSON.parse).filter(e=>e.type==="result");const r=l.at(-1);console.log(r.runId??r.id??r.run?.id)' "$work/train.jsonl")
echo "run $run"

step "lab evaluate $run"
"$lab" evaluate "$run"

step "lab tune <sample> --steps 1"
"$lab" tune "$sample" --steps 1

step "a run trained through lab serve's WebSocket API"
node "$root/scripts/test-install-serve.mjs" "$lab" "$sample"

step "all passed in $(( $(date +%s) - t0 ))s"
