#!/bin/bash
# Times a cold build of icsr (a fresh build directory, no compiler cache) and, unless CTEST=0, the README's
# ctest command on it, and records the run in a JSON file, replacing an earlier run of the same label at the
# same revision (runs at other revisions are kept). The
# README's build-time table is generated from that file (`icsr timings ... --build FILE`, scripts/update_readme.sh).
# Usage: LABEL=name [OUT=benchmarks/build_cpu.json] [JOBS=2] [CTEST=1] scripts/time_build.sh [cmake -D options...]
# Example: LABEL=benchmarks CTEST=0 scripts/time_build.sh -DICSR_BUILD_BENCHMARKS=ON
set -euo pipefail
cd "$(dirname "$0")/.."
label=${LABEL:?time_build.sh: LABEL names the run (for example pch or no-pch)}
out=${OUT:-benchmarks/build_cpu.json}
jobs=${JOBS:-2}
run_ctest=${CTEST:-1}
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "time_build.sh: JOBS must be a positive integer, not '$jobs'" >&2; exit 2; }
[[ $run_ctest == 0 || $run_ctest == 1 ]] || { echo "time_build.sh: CTEST must be 0 or 1, not '$run_ctest'" >&2; exit 2; }
command -v python3 >/dev/null || { echo "time_build.sh: python3 is needed (scripts/setup.sh installs it)" >&2; exit 2; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/icsr-time-build.XXXXXX")
trap 'rm -rf "$dir"' EXIT
# A cold build: no compiler cache, whatever the caller's environment says.
unset CMAKE_CXX_COMPILER_LAUNCHER CMAKE_C_COMPILER_LAUNCHER
revision=$(git rev-parse --short=12 HEAD)
git diff --quiet HEAD -- || revision+="-dirty"

echo "time_build.sh: configuring $label in $dir ($*)" >&2
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@" > "$dir/configure.log" 2>&1 ||
  { tail -20 "$dir/configure.log" >&2; exit 1; }
echo "time_build.sh: building with -j$jobs (progress in $dir/build.log)" >&2
start=$EPOCHREALTIME
cmake --build "$dir" -j"$jobs" > "$dir/build.log" 2>&1 || { tail -40 "$dir/build.log" >&2; exit 1; }
build_seconds=$(python3 -c "print($EPOCHREALTIME - $start)")
echo "time_build.sh: built in $build_seconds s" >&2

ctest_seconds=null
ctest_status=0
if [ "$run_ctest" = 1 ]; then
  echo "time_build.sh: ctest --test-dir ... -j$jobs --output-on-failure" >&2
  start=$EPOCHREALTIME
  ctest --test-dir "$dir" -j"$jobs" --output-on-failure > "$dir/ctest.log" 2>&1 || ctest_status=$?
  ctest_seconds=$(python3 -c "print($EPOCHREALTIME - $start)")
  echo "time_build.sh: ctest took $ctest_seconds s (exit $ctest_status)" >&2
  [ "$ctest_status" = 0 ] || tail -40 "$dir/ctest.log" >&2
fi

python3 - "$out" "$label" "$revision" "$jobs" "$build_seconds" "$ctest_seconds" "$dir" "$*" <<'PY'
import datetime, json, os, platform, re, subprocess, sys
out, label, revision, jobs, build_seconds, ctest_seconds, build_dir, cmake_args = sys.argv[1:]
def first_line(command):
    return subprocess.run(command, capture_output=True, text=True).stdout.splitlines()[0]
run = {"label": label, "revision": revision, "cmake_options": cmake_args, "jobs": int(jobs),
       "build_seconds": round(float(build_seconds), 1), "ctest_seconds": None, "tests": None,
       "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}
if ctest_seconds != "null":
    log = open(os.path.join(build_dir, "ctest.log"), encoding="utf-8", errors="replace").read()
    summary = re.search(r"(\d+)% tests passed, (\d+) tests failed out of (\d+)", log)
    if not summary:
        sys.exit("time_build.sh: ctest printed no summary line")
    failed, total = int(summary.group(2)), int(summary.group(3))
    skipped = len(re.findall(r"\*\*\*Skipped", log))
    run["ctest_seconds"] = round(float(ctest_seconds), 1)
    run["tests"] = {"total": total, "passed": total - failed - skipped, "skipped": skipped, "failed": failed}
cpu = "unknown"
for line in open("/proc/cpuinfo", encoding="utf-8"):
    if line.startswith("model name"):
        cpu = line.split(":", 1)[1].strip()
        break
context = {"host": platform.node(), "cpus": os.cpu_count(), "cpu": cpu,
           "compiler": first_line(["c++", "--version"]), "cmake": first_line(["cmake", "--version"])}
record = {"context": context, "runs": []}
if os.path.exists(out):
    record = json.load(open(out, encoding="utf-8"))
    if record.get("context", {}).get("host") != context["host"] or record.get("context", {}).get("cpu") != context["cpu"]:
        sys.exit(f"time_build.sh: {out} holds runs of another machine; give OUT another file")
    record["context"] = context
record["runs"] = [r for r in record["runs"] if (r["label"], r["revision"]) != (label, revision)] + [run]
with open(out + ".tmp", "w", encoding="utf-8") as stream:
    json.dump(record, stream, indent=2)
    stream.write("\n")
os.replace(out + ".tmp", out)
print(f"time_build.sh: recorded {label} in {out}", file=sys.stderr)
PY
exit "$ctest_status"
