#!/usr/bin/env bash
# Joins the parts that split_return.sh wrote, checking every part and the whole against the manifest.
# Exits 1, naming the part, when a part is missing, has the wrong size or the wrong SHA-256; the output
# is written to a temporary file and moved into place only once the whole file's checksum matches.
#   bash scripts/join_return.sh MANIFEST OUTFILE
set -euo pipefail
if (( $# != 2 )); then echo "usage: join_return.sh MANIFEST OUTFILE" >&2; exit 2; fi
manifest=$1 out=$2
dir=$(dirname "$manifest")
read -r kind name size sum < <(grep '^file ' "$manifest") || { echo "join_return: $manifest has no 'file' line" >&2; exit 1; }
tmp="$out.joining.$$"
trap 'rm -f "$tmp"' EXIT
: > "$tmp"
while read -r kind part part_size part_sum; do
  [[ $kind == part ]] || continue
  path="$dir/$part"
  if [[ ! -f $path ]]; then echo "join_return: $part is missing" >&2; exit 1; fi
  if [[ $(stat -c %s "$path") != "$part_size" ]]; then echo "join_return: $part has $(stat -c %s "$path") bytes, the manifest says $part_size" >&2; exit 1; fi
  if [[ $(sha256sum "$path" | cut -d' ' -f1) != "$part_sum" ]]; then echo "join_return: $part fails its SHA-256" >&2; exit 1; fi
  cat "$path" >> "$tmp"
done < "$manifest"
if [[ $(stat -c %s "$tmp") != "$size" || $(sha256sum "$tmp" | cut -d' ' -f1) != "$sum" ]]; then
  echo "join_return: the joined $name does not match the manifest's size and SHA-256" >&2; exit 1
fi
mv "$tmp" "$out"
trap - EXIT
echo "join_return: $out ($size bytes, SHA-256 $sum)" >&2
