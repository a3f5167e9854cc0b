#!/usr/bin/env bash
# The training benchmark in one run: the C++ trainer (build/benchmarks/bench_training) and its eager
# PyTorch reference (benchmarks/reference_train.py) on the same machine and device, then the ratio of
# steps per second, each the median of REPETITIONS runs of at least SECONDS_PER_MODEL seconds. Writes OUT (default
# out/bench_training.json) with both figures, every repetition's rate, and the ratios.
#   BUILD=build-cuda DEVICE=cuda PRECISION=fp32 SECONDS_PER_MODEL=5 REPETITIONS=3 PYTHON=python3 bash scripts/bench_training.sh
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
device=${DEVICE:-cpu}
precision=${PRECISION:-fp32}
seconds=${SECONDS_PER_MODEL:-5}
repetitions=${REPETITIONS:-3}
python=${PYTHON:-python3}
out=${OUT:-out/bench_training.json}
mkdir -p "$(dirname "$out")"
# The revision of the tree measured ("-dirty" with uncommitted changes to tracked files; "unknown" without git).
revision=$(git rev-parse --short=12 HEAD 2> /dev/null || echo unknown)
if [[ $revision != unknown && -n $(git status --porcelain --untracked-files=no 2> /dev/null) ]]; then revision+=-dirty; fi
cpp_json=$(mktemp)
ICSR_BENCH_DEVICE=$device ICSR_BENCH_PRECISION=$precision "$build/benchmarks/bench_training" \
  --benchmark_min_time="$seconds" --benchmark_repetitions="$repetitions" --benchmark_format=json > "$cpp_json"
py_lines=$("$python" benchmarks/reference_train.py --device "$device" --precision "$precision" --seconds "$seconds" \
  --repetitions "$repetitions")
"$python" - "$cpp_json" "$out" "$py_lines" "$revision" "$seconds" <<'PY'
import json, sys
cpp = json.load(open(sys.argv[1]))
py = [json.loads(line) for line in sys.argv[3].splitlines() if line.strip()]
refs = {ref["model"]: ref for ref in py}
rows = []
# TrainingSteps/ARCH/STEP (benchmarks/bench_training.cpp), one entry per repetition; a skipped one (cuda-graph
# without CUDA) has no rate. The rate of each is the median over its repetitions.
runs = {}
for bench in cpp["benchmarks"]:
    if bench.get("run_type", "iteration") != "iteration" or "items_per_second" not in bench:
        continue
    _, arch, step = bench["run_name"].split("/")[:3] if "run_name" in bench else bench["name"].split("/")[:3]
    runs.setdefault((int(arch), int(step)), []).append(bench["items_per_second"])
eager = {}
for (arch, step) in sorted(runs, key=lambda key: (key[1], key[0])):
    model = ["small_tf", "gpt2"][arch]
    mode = ["eager", "sync-free", "cuda-graph"][step]
    ref = refs[model]
    repeats = sorted(runs[(arch, step)])
    cpp_rate = repeats[len(repeats) // 2]
    if mode == "eager":
        eager[model] = cpp_rate
    rows.append({"model": model, "step": mode, "device": ref["device"], "precision": ref["precision"], "batch": ref["batch"],
                 "cpp_steps_per_second": cpp_rate, "pytorch_steps_per_second": ref["steps_per_second"],
                 "ratio_cpp_over_pytorch": cpp_rate / ref["steps_per_second"],
                 "ratio_over_eager_cpp": cpp_rate / eager[model] if model in eager else None, "pytorch": ref["torch"],
                 "cpp_repetitions": repeats, "pytorch_repetitions": ref.get("repetitions", [ref["steps_per_second"]])})
    print(f'{model:>9} {ref["device"]} {ref["precision"]} {mode:>10}: C++ {cpp_rate:.2f} steps/s, eager PyTorch '
          f'{ref["steps_per_second"]:.2f} steps/s, ratio {cpp_rate / ref["steps_per_second"]:.2f}x')
json.dump({"context": cpp["context"], "revision": sys.argv[4], "seconds_per_repetition": float(sys.argv[5]), "results": rows},
          open(sys.argv[2], "w"), indent=2)
PY
rm -f "$cpp_json"
