#!/usr/bin/env bash
# Splits files for the trip back from the GPU machine, which returns at most 8 files of at most 16 MiB
# per call. For each FILE: OUTDIR/NAME.part-000, -001, ... of at most PART_MB MiB (default 15), and
# OUTDIR/NAME.manifest with the SHA-256 and size of the whole file and of every part. Files already small
# enough are split too (one part), so every file travels the same way. Join them with join_return.sh.
#   bash scripts/split_return.sh OUTDIR FILE...
set -euo pipefail
if (( $# < 2 )); then echo "usage: split_return.sh OUTDIR FILE..." >&2; exit 2; fi
outdir=$1; shift
part_mb=${PART_MB:-15}
if ! [[ $part_mb =~ ^[0-9]+$ ]] || (( part_mb < 1 || part_mb > 16 )); then
  echo "split_return: PART_MB must be an integer in [1, 16], got '$part_mb'" >&2; exit 2
fi
mkdir -p "$outdir"
for file in "$@"; do
  if [[ ! -f $file ]]; then echo "split_return: $file is not a regular file" >&2; exit 2; fi
  name=$(basename "$file")
  rm -f "$outdir/$name".part-* "$outdir/$name.manifest"
  split -a 3 -d -b "${part_mb}M" "$file" "$outdir/$name.part-"
  [[ -s $file ]] || : > "$outdir/$name.part-000"   # an empty file still travels as one part
  {
    echo "file $name $(stat -c %s "$file") $(sha256sum "$file" | cut -d' ' -f1)"
    for part in "$outdir/$name".part-*; do
      echo "part $(basename "$part") $(stat -c %s "$part") $(sha256sum "$part" | cut -d' ' -f1)"
    done
  } > "$outdir/$name.manifest"
  echo "split_return: $file -> $(grep -c '^part' "$outdir/$name.manifest") part(s) in $outdir" >&2
done
