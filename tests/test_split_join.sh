#!/usr/bin/env bash
# ctest (label unit): the GPU machine's return path. A 40 MiB file goes out as parts of at most 15 MiB
# (under the 16 MiB limit) and comes back byte-identical; a corrupted, truncated or missing part, and a
# bad PART_MB, are refused.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
head -c $((40 * 1024 * 1024 + 123)) /dev/urandom > "$work/model.safetensors"
: > "$work/empty.log"
bash "$root/scripts/split_return.sh" "$work/out" "$work/model.safetensors" "$work/empty.log"
parts=$(ls "$work/out"/model.safetensors.part-* | wc -l)
[[ $parts == 3 ]] || { echo "FAIL: expected 3 parts, got $parts"; exit 1; }
for part in "$work/out"/model.safetensors.part-*; do
  (( $(stat -c %s "$part") <= 16 * 1024 * 1024 )) || { echo "FAIL: $part exceeds 16 MiB"; exit 1; }
done
bash "$root/scripts/join_return.sh" "$work/out/model.safetensors.manifest" "$work/joined"
cmp "$work/model.safetensors" "$work/joined" || { echo "FAIL: joined file differs"; exit 1; }
bash "$root/scripts/join_return.sh" "$work/out/empty.log.manifest" "$work/joined.log"
[[ ! -s $work/joined.log ]] || { echo "FAIL: the empty file came back non-empty"; exit 1; }
expect_refusal() {  # what, then the command
  local what=$1; shift
  if "$@" 2> "$work/err"; then echo "FAIL: $what was accepted"; exit 1; fi
  echo "refused as expected ($what): $(cat "$work/err")"
}
cp "$work/out/model.safetensors.part-001" "$work/saved"
printf 'X' | dd of="$work/out/model.safetensors.part-001" bs=1 seek=1000 conv=notrunc status=none
expect_refusal "a corrupted part" bash "$root/scripts/join_return.sh" "$work/out/model.safetensors.manifest" "$work/bad"
[[ ! -e $work/bad ]] || { echo "FAIL: a refused join left an output file"; exit 1; }
head -c 1000 "$work/saved" > "$work/out/model.safetensors.part-001"
expect_refusal "a truncated part" bash "$root/scripts/join_return.sh" "$work/out/model.safetensors.manifest" "$work/bad"
rm "$work/out/model.safetensors.part-001"
expect_refusal "a missing part" bash "$root/scripts/join_return.sh" "$work/out/model.safetensors.manifest" "$work/bad"
expect_refusal "PART_MB=17" env PART_MB=17 bash "$root/scripts/split_return.sh" "$work/out2" "$work/model.safetensors"
echo "split/join: OK"
