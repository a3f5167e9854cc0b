#!/usr/bin/env bash
# Coverage-guided fuzzing of the safetensors reader and the findings loader (tests/fuzz/), for a bounded
# time each: the benchmark-style target of the fuzzers, not part of ctest. ctest (label fuzz) replays
# the kept corpus through the normal build instead.
#
#   scripts/run_fuzzers.sh [SECONDS] [--update-corpus] [--keep-going]
#
# Configures build-fuzz/ with clang (-DICSR_BUILD_FUZZERS=ON), builds only the fuzz targets, and runs
# each for SECONDS (default 60). The repository corpus (tests/fuzz/corpus/NAME/) seeds the run; new
# inputs go to build-fuzz/corpus/NAME/, kept between runs, so the repository is untouched unless
# --update-corpus is given, which merges the inputs that add coverage into the repository corpus.
# tests/fuzz/NAME.dict seeds the mutations with the format's keys. Crashes, timeouts and over-limit
# allocations are written to build-fuzz/artifacts/NAME/; the script then exits 1. A fuzzer stops at
# its first finding unless --keep-going is given (libFuzzer's fork mode: it collects every finding
# for the whole time; minimise one with `FUZZER -minimize_crash=1 -runs=20000 FILE`).
# Environment: ICSR_FUZZ_BUILD_DIR (default build-fuzz), JOBS (default 2), ICSR_FUZZERS (default
# "fuzz_safetensors fuzz_findings").
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
seconds=60
update_corpus=0
keep_going=()
for argument in "$@"; do
  case "$argument" in
    --update-corpus) update_corpus=1 ;;
    --keep-going) keep_going=(-fork=1 -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1) ;;
    ''|*[!0-9]*) echo "usage: $0 [SECONDS] [--update-corpus] [--keep-going]" >&2; exit 2 ;;
    *) seconds=$argument ;;
  esac
done
build=${ICSR_FUZZ_BUILD_DIR:-$root/build-fuzz}
read -r -a fuzzers <<<"${ICSR_FUZZERS:-fuzz_safetensors fuzz_findings}"

if [ ! -f "$build/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ nice -n 5 cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DICSR_BUILD_FUZZERS=ON -DICSR_BUILD_TESTS=OFF >/dev/null
fi
nice -n 5 cmake --build "$build" -j"${JOBS:-2}" --target "${fuzzers[@]}"

# An allocation driven by file contents over 1 GiB, or a process over 2 GiB, counts as a finding.
limits=(-rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=10 -print_final_stats=1)
failed=0
summary=()
for fuzzer in "${fuzzers[@]}"; do
  name=${fuzzer#fuzz_}
  seeds="$root/tests/fuzz/corpus/$name"
  scratch="$build/corpus/$name"
  artifacts="$build/artifacts/$name/"
  log="$build/logs/$fuzzer.log"
  mkdir -p "$scratch" "$artifacts" "$(dirname "$log")"
  echo "== $fuzzer for ${seconds}s (log: $log)"
  marker="$build/logs/$fuzzer.start"
  touch "$marker"
  start=$(date +%s)
  status=0
  # The first directory receives new inputs; the repository corpus is only read.
  nice -n 5 "$build/tests/fuzz/$fuzzer" "${limits[@]}" -max_total_time="$seconds" -artifact_prefix="$artifacts" \
    -dict="$root/tests/fuzz/$name.dict" ${keep_going[@]+"${keep_going[@]}"} \
    "$scratch" "$seeds" >"$log" 2>&1 || status=$?
  elapsed=$(( $(date +%s) - start ))
  # Fork mode prints no final stats: its last "#N" line counts the executions of every job.
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  [ -n "$executions" ] || executions=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
  coverage=$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+(/[0-9a-zA-Z]+)?' || true)
  line="$fuzzer: exit $status, ${executions:-?} executions in ${elapsed}s, ${coverage:-no coverage line}"
  new_artifacts=$(find "$artifacts" -type f -newer "$marker" -printf '%f ')
  if [ "$status" -ne 0 ] || [ -n "$new_artifacts" ]; then
    failed=1
    line+=", FINDING: ${new_artifacts:-see the log}"
    grep -E 'ERROR|FINDING|runtime error|SUMMARY' "$log" | head -5 || true
  fi
  summary+=("$line")
  if [ "$update_corpus" -eq 1 ]; then
    nice -n 5 "$build/tests/fuzz/$fuzzer" -merge=1 "${limits[@]}" "$seeds" "$scratch" >>"$log" 2>&1
    echo "merged new coverage into $seeds"
  fi
done

echo "== summary"
printf '%s\n' "${summary[@]}"
exit "$failed"
