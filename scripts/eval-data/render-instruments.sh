#!/usr/bin/env bash
# NSynth-like instrument-family task, rendered from two unrelated General MIDI soundfonts (EVALUATION ONLY:
# never part of pre-training). See docs/CORPUS.md.
#   scripts/eval-data/render-instruments.sh [--out DIR] [--small]
# DIR/fluidr3/<family>/<program>_<note>.wav   (FluidR3_GM: train)
# DIR/timgm6mb/<family>/<program>_<note>.wav  (TimGM6mb: test; the two share almost no samples)
# DIR/labels.csv: path,tags (family) for `coala` tools; DIR/silent.tsv: notes a soundfont has no sound for.
# Notes 21..108 (88), held 3 s, one every 4 s, velocity 100, 16 kHz mono 16-bit, one render per program.
# --small: the CI subset (samples/README.md): 4 families x 1 program x 6 notes per soundfont, in seconds
#          (default DIR then runs/eval-data/instruments-small).
set -euo pipefail
OUT=/work/corpus-data/instruments
SMALL=0; OUT_SET=0
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; OUT_SET=1; shift 2 ;;
    --small) SMALL=1; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
HERE="$(cd "$(dirname "$0")" && pwd)"
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3
SF_DIR=/usr/share/sounds/sf2
if [ ! -f "$SF_DIR/FluidR3_GM.sf2" ] || [ ! -f "$SF_DIR/TimGM6mb.sf2" ] || ! command -v fluidsynth >/dev/null || ! command -v sox >/dev/null; then
  pkgs="fluidsynth fluid-soundfont-gm timgm6mb-soundfont sox"
  apt-get install -y --no-install-recommends $pkgs >&2 || { apt-get update -qq && apt-get install -y --no-install-recommends $pkgs >&2; }
fi

# family: two GM programs (0-based) present in both soundfonts.
FAMILIES="piano:0,4 organ:16,19 guitar:24,25 bass:32,33 strings:40,48 brass:56,57 reed:65,71 flute:73,75 mallet:11,12 synth_lead:80,81"
NOTES=""   # empty: 21..108
if [ "$SMALL" = 1 ]; then
  FAMILIES="piano:0 organ:16 bass:32 flute:73"
  NOTES="55,60,64,67,72,76"
  [ "$OUT_SET" = 1 ] || OUT="$(cd "$HERE/../.." && pwd)/runs/eval-data/instruments-small"
fi

mkdir -p "$OUT"
WORK="$OUT/.work"; mkdir -p "$WORK"
: > "$OUT/silent.tsv"
start=$(date +%s.%N)
for sf in fluidr3:FluidR3_GM.sf2 timgm6mb:TimGM6mb.sf2; do
  name=${sf%%:*}; file="$SF_DIR/${sf#*:}"
  for fam in $FAMILIES; do
    family=${fam%%:*}
    for prog in $(echo "${fam#*:}" | tr , " "); do
      prog=$(echo "$prog" | tr -d ' ')
      p3=$(printf %03d "$prog")
      dest="$OUT/$name/$family"
      if [ -f "$dest/.done-$p3" ]; then continue; fi
      "$PY" "$HERE/render_notes.py" midi "$prog" "$WORK/p$p3.mid" $NOTES
      fluidsynth -ni -q -R 0 -C 0 -g 0.6 -r 16000 -O s16 -T wav -F "$WORK/$name-$p3.wav" "$file" "$WORK/p$p3.mid" >/dev/null
      sox -R "$WORK/$name-$p3.wav" -c 1 "$WORK/$name-$p3-mono.wav"
      "$PY" "$HERE/render_notes.py" cut "$WORK/$name-$p3-mono.wav" "$dest" "$p3" $NOTES | grep '^silent' >> "$OUT/silent.tsv" || true
      rm -f "$WORK/$name-$p3.wav" "$WORK/$name-$p3-mono.wav"
      touch "$dest/.done-$p3"
    done
  done
done
rm -rf "$WORK"
( echo "path,tags"; cd "$OUT" && find fluidr3 timgm6mb -name '*.wav' | sort | awk -F/ '{print $0","$2}' ) > "$OUT/labels.csv"
end=$(date +%s.%N)
for name in fluidr3 timgm6mb; do
  echo "$name: $(find "$OUT/$name" -name '*.wav' | wc -l) notes in $(ls "$OUT/$name" | wc -l) families" >&2
done
echo "silent notes skipped: $(wc -l < "$OUT/silent.tsv"); time: $(echo "$end - $start" | bc 2>/dev/null || echo "?") s" >&2
