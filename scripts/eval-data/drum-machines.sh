#!/usr/bin/env bash
# Drum type on unseen machines, from ritchse/tidal-drum-machines (EVALUATION ONLY: never part of pre-training).
# See docs/CORPUS.md.
#   scripts/eval-data/drum-machines.sh CLONE_PATH [--out DIR] [--min-machines N]
# CLONE_PATH: a `git clone https://github.com/ritchse/tidal-drum-machines` (work tree or bare); its machines/
#   folder is read from the work tree when there is one, else from `git archive HEAD machines`.
# DIR (default /work/corpus-data/drums), recreated on each run:
#   DIR/train/<class>/<Machine>/<type>_<file>.wav, DIR/test/...   (split by machine: fixed list, 18 of 71)
#   DIR/labels.csv (path,tags), DIR/machines.tsv (machine, split, clips), DIR/classes.tsv (class, split,
#   machines, clips), DIR/skipped.tsv, DIR/holdout.txt (machines and Dirt-Samples folders to keep out of pre-training)
# Evaluate with: coala evaluate --task drums:DIR ...
set -euo pipefail
OUT=/work/corpus-data/drums
MIN=20
SRC=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    --min-machines) MIN="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    -*) echo "unknown option: $1" >&2; exit 2 ;;
    *) [ -z "$SRC" ] || { echo "one CLONE_PATH only" >&2; exit 2; }; SRC="$1"; shift ;;
  esac
done
[ -n "$SRC" ] || { sed -n '2,12p' "$0" >&2; exit 2; }
HERE="$(cd "$(dirname "$0")" && pwd)"
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3
command -v sox >/dev/null || echo "note: sox not found; files that are not plain PCM/float WAV will be skipped" >&2

rm -rf "$OUT"; mkdir -p "$OUT"
if [ -d "$SRC/machines" ]; then
  MACHINES="$SRC/machines"
elif git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1; then
  MACHINES="$OUT/.work/machines"
  mkdir -p "$OUT/.work"
  # A partial mirror may lack large blobs: tar extracts what arrives, the counts below say what is missing.
  git -C "$SRC" archive HEAD machines 2>/dev/null | tar -x -C "$OUT/.work" || true
  listed=$(git -C "$SRC" ls-tree -r --name-only HEAD machines | wc -l)
  got=$(find "$MACHINES" -type f | wc -l)
  echo "extracted $got of $listed files listed in HEAD:machines" >&2
else
  echo "$SRC has neither a machines/ folder nor a git repository" >&2; exit 2
fi
[ -d "$MACHINES" ] || { echo "no machines/ folder in $SRC" >&2; exit 2; }

"$PY" "$HERE/drum_machines.py" "$MACHINES" "$OUT" --min-machines "$MIN"
rm -rf "$OUT/.work"
echo "held-out list (keep out of pre-training): $OUT/holdout.txt" >&2
