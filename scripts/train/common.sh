# Sourced by screen.sh and ship.sh: the defaults, options and checks both scripts share.
# shellcheck shell=bash
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DATA="" OUT="" BATCH=64
COALA="$ROOT/../coala-bin/coala"
FSDD="$ROOT/../shared/data/fsdd/recordings"
INSTRUMENTS=/work/corpus-data/instruments
DRUMS=/work/corpus-data/drums

# common_option NAME VALUE: sets one of the shared options; fails when NAME is not one (the caller handles it).
common_option() {
  case "$1" in
    --data) DATA="$2" ;;
    --out) OUT="$2" ;;
    --batch) BATCH="$2" ;;
    --repeats) REPEATS="$2" ;;
    --coala) COALA="$2" ;;
    --fsdd) FSDD="$2" ;;
    --instruments) INSTRUMENTS="$2" ;;
    --drums) DRUMS="$2" ;;
    *) return 1 ;;
  esac
}

# common_setup SCRIPT: checks --data, --out and the published CLI, makes OUT, preloads tcmalloc when installed
# (Debian libtcmalloc-minimal4), and sets PER_EPOCH (optimizer steps an epoch at --batch) and TASKS (the dev tasks'
# `coala evaluate` options: FSDD digit and speaker, instrument family, drum type on unseen machines).
common_setup() {
  [ -n "$DATA" ] && [ -n "$OUT" ] || { echo "usage: $1 --data PREPARED --out DIR (see --help)" >&2; exit 2; }
  [ -x "$COALA" ] || { echo "no published CLI at $COALA: dotnet publish src/Coala.ML.Cli -c Release -o ../coala-bin" >&2; exit 2; }
  mkdir -p "$OUT"
  local tcmalloc=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
  if [ -f "$tcmalloc" ]; then export LD_PRELOAD="$tcmalloc"; fi
  local rows
  rows=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['train'])" "$DATA/manifest.json")
  PER_EPOCH=$(( rows / BATCH ))
  [ "$PER_EPOCH" -ge 1 ] || { echo "fewer training rows ($rows) than one batch ($BATCH)" >&2; exit 2; }
  TASKS=(--task "fsdd-digit=fsdd-digit:$FSDD" --task "fsdd-speaker=fsdd-speaker:$FSDD"
         --task "instrument=folders:$INSTRUMENTS/fluidr3,$INSTRUMENTS/timgm6mb"
         --task "drum=drums:$DRUMS")
}

# epochs_for STEPS: whole epochs that reach at least STEPS optimizer steps.
epochs_for() { echo $(( ($1 + PER_EPOCH - 1) / PER_EPOCH )); }
