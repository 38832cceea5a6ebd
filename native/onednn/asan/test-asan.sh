#!/usr/bin/env bash
# Builds the oneDNN addon with AddressSanitizer and UndefinedBehaviorSanitizer into native/onednn/build-asan (never
# touching the normal build in build/Release), then runs the native kernel tests and a ResNet training smoke test
# (the stride-2 shortcut and partial last batch that once corrupted the heap) on it. Any sanitizer report, failed
# test, failed native call (the addon's guard zones turn oneDNN writes past its buffers into errors) or unfinished
# run fails the script. Usage: npm run test:native:asan
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
addon_dir="$root/native/onednn"
out="$addon_dir/build-asan"
mkdir -p "$out/obj"

node_include="$(node -p "require('path').join(process.execPath, '..', '..', 'include', 'node')")"
[ -f "$node_include/node_api.h" ] || node_include=/usr/include/node
[ -f "$node_include/node_api.h" ] || { echo "test:native:asan: Node's headers (node_api.h) were not found" >&2; exit 1; }
flags=(-std=c++17 -O1 -g -fPIC -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined -fopenmp -I"$node_include")

# Compile only what changed (each source depends on every header in src/).
newest_header="$(ls -t "$addon_dir"/src/*.h | head -1)"
objs=()
pids=()
for src in "$addon_dir"/src/*.cc; do
  obj="$out/obj/$(basename "${src%.cc}").o"
  objs+=("$obj")
  if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ "$newest_header" -nt "$obj" ]; then
    g++ "${flags[@]}" -c "$src" -o "$obj" & pids+=($!)
  fi
done
for p in "${pids[@]}"; do wait "$p"; done
g++ -shared "${flags[@]}" "${objs[@]}" -ldnnl -o "$out/lab_onednn.node"
echo "[asan] built $out/lab_onednn.node"

export LD_PRELOAD="$(g++ -print-file-name=libasan.so) $(g++ -print-file-name=libubsan.so)"
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1:detect_odr_violation=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LAB_ONEDNN_ADDON="$out/lab_onednn.node"
export LAB_BACKEND=onednn
log="$(mktemp)"
work="$(mktemp -d)"
trap 'rm -rf "$work" "$log"' EXIT

fail_on_reports() {
  if grep -aE "ERROR: AddressSanitizer|runtime error:|oneDNN .* failed|SUMMARY: (Address|UndefinedBehavior)Sanitizer" "$log"; then
    echo "[asan] FAILED: a sanitizer report or a failed native call (above)" >&2
    exit 1
  fi
}

echo "[asan] kernel tests"
(cd "$root" && npx vitest run src/main/engine/onednn 2>&1) | tee "$log"
fail_on_reports

echo "[asan] ResNet-8 training smoke test: 3 classes x 40 Fashion-MNIST images, batch 32 (a partial last batch), 2 epochs"
for cls in bag sandal trouser; do
  mkdir -p "$work/data/$cls"
  pngs=("$root/resources/sample/train/$cls"/*.png)  # sorted by the glob
  cp "${pngs[@]:0:40}" "$work/data/$cls/"
done
echo '{"input":{"size":28,"channels":1},"model":{"kind":"resnet","depth":8,"width":8},"epochs":2,"batchSize":32}' > "$work/cfg.json"
(cd "$root" && LAB_HOME="$work/home" node bin/lab.js train "$work/data" --config "$work/cfg.json" 2>&1) | tee "$log"
fail_on_reports
grep -aq "completed: 2/2 epochs on CPU (oneDNN" "$log" || { echo "[asan] FAILED: the ResNet run did not complete on the oneDNN path" >&2; exit 1; }
echo "[asan] clean: no sanitizer reports, no failed native calls, the ResNet run completed"
