#!/usr/bin/env bash
# SYNTHETIC music-genre clips in the GTZAN layout: a SMOKE TEST of the genre sample, NOT a genre benchmark.
# Each clip is an auto-accompaniment (drums, bass, chords) that Debian's `mma` writes in one of its named styles
# over a chord progression typical of the "genre", rendered with fluidsynth and FluidR3_GM. No melody, no
# vocals, one soundfont: telling these apart says little about real music (use GTZAN for that).
#   scripts/eval-data/render-genres.sh [--out DIR] [--small] [--clips N]
# DIR/<genre>/<genre>.NNNNN.wav   10 s, 22 050 Hz mono 16-bit (as GTZAN, which has 30 s clips)
# DIR/train.txt, DIR/test.txt     split lists, one "<genre>/<genre>.NNNNN.wav" a line (every 4th clip is test)
# DIR/SYNTHETIC                   a reminder of what this is
# Genres: blues, jazz, rock, latin, country (N clips each, default 40); a clip varies style, tempo, key and
# progression. --small: the CI subset, 4 genres x 8 clips (default DIR then runs/eval-data/genres-small).
# Default DIR: runs/eval-data/genres-synthetic. Installs mma, fluidsynth, fluid-soundfont-gm and sox if missing.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT=""; SMALL=0; CLIPS=40
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    --small) SMALL=1; shift ;;
    --clips) CLIPS="$2"; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
SF=/usr/share/sounds/sf2/FluidR3_GM.sf2
if [ ! -f "$SF" ] || ! command -v fluidsynth >/dev/null || ! command -v sox >/dev/null || ! command -v mma >/dev/null; then
  pkgs="mma fluidsynth fluid-soundfont-gm sox"
  apt-get install -y --no-install-recommends $pkgs >&2 || { apt-get update -qq && apt-get install -y --no-install-recommends $pkgs >&2; }
fi

# genre | mma grooves (styles of /usr/share/mma/lib/stdlib) | progressions in C, one chord a bar, ";" between | tempo min-max
GENRES=(
  "blues|Blues Blues1 BluesTriple SlowBlues SlowBluesWalk4 FastBlues FastBluesWalk ShuffleBoggie|C7 C7 C7 C7 F7 F7 C7 C7 G7 F7 C7 G7;C7 F7 C7 C7 F7 F7 C7 C7 G7 F7 C7 C7;Cm7 Cm7 Cm7 Cm7 Fm7 Fm7 Cm7 Cm7 Ab7 G7 Cm7 G7|70-130"
  "jazz|Swing SwingWalk Swing1Walk JazzCombo JazzCombo1 Bebop JazzGuitarWalk JazzGuitar2|Dm7 G7 Cmaj7 Cmaj7;Cmaj7 A7 Dm7 G7;Em7 A7 Dm7 G7 Cmaj7 Fmaj7 Bm7b5 E7;Cm7 F7 Bbmaj7 Ebmaj7 Am7b5 D7 Gm6 Gm6|110-200"
  "rock|BasicRock BasicRock4 50sRock 60sRock 60sRock1 SoftRock1 FolkRock Rock128|C F G C;C G Am F;Am F C G;C Bb F C|96-150"
  "latin|BossaNova BossaNova1Sus Samba Rhumba Rhumba1 Salsa Mambo1 ChaCha|Dm7 G7 Cmaj7 A7;Am7 D7 Gmaj7 Cmaj7;Cmaj7 Cmaj7 D7 D7 Dm7 G7 Cmaj7 Cmaj7;Am Dm E7 Am|90-140"
  "country|CountrySwing CountrySwing1 BlueGrass SlowCountry SlowCountryWalk WesternSwing HillCountry CountryBlues|C C F C G G C C;C F C G;G C D G;C Am F G|96-160"
)
if [ "$SMALL" = 1 ]; then
  GENRES=("${GENRES[@]:0:4}"); CLIPS=8
  [ -n "$OUT" ] || OUT="$ROOT/runs/eval-data/genres-small"
fi
[ -n "$OUT" ] || OUT="$ROOT/runs/eval-data/genres-synthetic"
mkdir -p "$OUT"
WORK="$OUT/.work"; mkdir -p "$WORK"
cat > "$OUT/SYNTHETIC" <<'EOF'
SYNTHETIC data, a smoke test only: mma auto-accompaniments (no melody, no vocals) rendered with one soundfont
by scripts/eval-data/render-genres.sh. Accuracy on these clips says nothing about real-music genre recognition.
EOF
start=$(date +%s.%N)
: > "$WORK/train.txt"; : > "$WORK/test.txt"
for spec in "${GENRES[@]}"; do
  IFS='|' read -r genre grooves progs tempos <<< "$spec"
  read -r -a G <<< "$grooves"
  IFS=';' read -r -a P <<< "$progs"
  tmin=${tempos%-*}; tmax=${tempos#*-}
  mkdir -p "$OUT/$genre"
  for ((i = 0; i < CLIPS; i++)); do
    name=$(printf '%s.%05d.wav' "$genre" "$i")
    if [ $((i % 4)) -eq 3 ]; then echo "$genre/$name" >> "$WORK/test.txt"; else echo "$genre/$name" >> "$WORK/train.txt"; fi
    [ -f "$OUT/$genre/$name" ] && continue
    # Deterministic variety: strides that are coprime with the list lengths decorrelate style, progression, key, tempo.
    groove=${G[$(( (i * 3) % ${#G[@]} ))]}
    prog=${P[$(( (i * 5 + i / ${#G[@]}) % ${#P[@]} ))]}
    transpose=$(( (i * 7) % 12 - 5 ))
    tempo=$(( tmin + (i * 37) % (tmax - tmin + 1) ))
    # Enough bars for 1 s of lead-in plus 10 s, whole progressions.
    read -r -a chords <<< "$prog"
    need=$(( (11 * tempo + 239) / 240 + 1 ))
    {
      echo "RndSeed $((i + 1))"; echo "Tempo $tempo"; echo "Groove $groove"; echo "Transpose $transpose"   # RndSeed: the grooves' random timing and volume, repeatable
      bar=1
      while [ $bar -le $need ]; do
        for c in "${chords[@]}"; do echo "$bar $c"; bar=$((bar + 1)); done
      done
    } > "$WORK/clip.mma"
    mma -f "$WORK/clip.mid" "$WORK/clip.mma" >/dev/null 2>"$WORK/mma.err" || { cat "$WORK/mma.err" >&2; exit 1; }
    fluidsynth -ni -q -g 0.6 -r 22050 -O s16 -T wav -F "$WORK/clip.wav" "$SF" "$WORK/clip.mid" >/dev/null
    sox -R "$WORK/clip.wav" -c 1 "$WORK/clip-mono.wav" trim 1 10 norm -1
    mv "$WORK/clip-mono.wav" "$OUT/$genre/$name"
  done
done
mv "$WORK/train.txt" "$WORK/test.txt" "$OUT/"
rm -rf "$WORK"
end=$(date +%s.%N)
for spec in "${GENRES[@]}"; do g=${spec%%|*}; echo "$g: $(ls "$OUT/$g" | wc -l) clips" >&2; done
echo "SYNTHETIC genres in $OUT: $(wc -l < "$OUT/train.txt") train, $(wc -l < "$OUT/test.txt") test; time: $(echo "$end - $start" | bc 2>/dev/null || echo "?") s" >&2
