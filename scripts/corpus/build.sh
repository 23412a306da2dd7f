#!/usr/bin/env bash
# Builds the pre-training corpus from Debian packages and two sample libraries (see docs/CORPUS.md).
#   scripts/corpus/build.sh [--out DIR] [--packages "a b c"] [--max-packages-size MB]
#       [--dirt-samples CLONE] [--cdda CLONE] [--eval DIR]... [--holdout FILE] [--extract-only]
# --dirt-samples: a clone of github.com/tidalcycles/Dirt-Samples (its 808*/909* folders are left out)
# --cdda:         a clone of github.com/Fris0uman/CDDA-Soundpacks (only sound/CC-Sounds is used)
# --eval DIR:     evaluation audio (repeatable): corpus clips whose audio matches one of its clips are dropped
# --holdout FILE: an evaluation hold-out list; its "Dirt-Samples/<folder>" lines are left out
# OUT/debs/       downloaded .deb files (kept: re-runs skip the download)
# OUT/extract/P/  audio (and sound archives' audio) extracted from package P, plus its copyright file
# OUT/audio/P/... the kept clips (16-bit WAV), meaningful path words only; music tracks cut into ~10 s pieces
# OUT/tags.csv    path,tags for `coala prepare --csv OUT/tags.csv`
# OUT/packages.tsv, OUT/excluded.tsv, OUT/duplicates.tsv, OUT/eval_matches.tsv: sources, what was left out and why
set -euo pipefail

OUT=/work/corpus-data/v2
PACKAGES="0ad-data megaglest-data hedgewars-data ufoai-sound redeclipse-data wesnoth-1.16-data berusky2-data
freedroidrpg-data flightgear-data-base widelands-data lincity-ng-data warmux-data trigger-rally-data supertux-data
scorched3d-data supertuxkart-data boswars-data colobot-common-sounds hydrogen-drumkits hydrogen-drumkits-effects
sonic-pi-samples lmms-common tuxpaint-stamps-default
ktuberling-data klettres-data asterisk-core-sounds-en-wav
nexuiz-data naev-data warzone2100-data flare-game freeorion-data openclonk-data freedink-data neverball-data
endless-sky-data openarena-088-data xmoto-data freeciv-data gcompris-qt-data freepats avldrums.lv2-soundfont
grandorgue-demo"
DIRT=""
CDDA=""
EVAL=()
EXTRACT_ONLY=0
HOLDOUT=""
MAX_MB=0   # skip packages whose download is larger than this (0: no limit)

while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    --packages) PACKAGES="$2"; shift 2 ;;
    --max-packages-size) MAX_MB="$2"; shift 2 ;;
    --dirt-samples) DIRT="$2"; shift 2 ;;
    --cdda) CDDA="$2"; shift 2 ;;
    --eval) EVAL+=("$2"); shift 2 ;;
    --holdout) HOLDOUT="$2"; shift 2 ;;
    --extract-only) EXTRACT_ONLY=1; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done

HERE="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$OUT/debs" "$OUT/extract"
OUT="$(cd "$OUT" && pwd)"

need() { command -v "$1" >/dev/null 2>&1; }
if ! need sox || ! need soxi || ! need unzip; then
  echo "installing sox and unzip" >&2
  apt-get install -y --no-install-recommends sox libsox-fmt-all unzip >&2
fi

: > "$OUT/packages.list"
for pkg in $PACKAGES; do
  dir="$OUT/extract/$pkg"
  if [ -f "$dir/.done" ]; then
    echo "$pkg: already extracted" >&2
    echo "$pkg" >> "$OUT/packages.list"
    continue
  fi
  if ! apt-cache show --no-all-versions "$pkg" >/dev/null 2>&1; then
    echo "$pkg: no such package, skipped" >&2
    continue
  fi
  size_mb=$(apt-cache show --no-all-versions "$pkg" | awk '/^Size:/{printf "%d", $2/1e6}')
  if [ "$MAX_MB" -gt 0 ] && [ "$size_mb" -gt "$MAX_MB" ]; then
    echo "$pkg: ${size_mb} MB is over --max-packages-size $MAX_MB, skipped" >&2
    continue
  fi
  deb=$(ls "$OUT/debs/${pkg}"_*.deb 2>/dev/null | head -1 || true)
  if [ -z "$deb" ]; then
    echo "$pkg: downloading ${size_mb} MB" >&2
    (cd "$OUT/debs" && apt-get download "$pkg" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2 || true)
    deb=$(ls "$OUT/debs/${pkg}"_*.deb 2>/dev/null | head -1 || true)
    [ -n "$deb" ] || { echo "$pkg: download failed" >&2; exit 1; }
  fi
  rm -rf "$dir"; mkdir -p "$dir"
  echo "$pkg: extracting" >&2
  # tar exits 2 when a pattern matches nothing: that is fine here, anything else is not.
  set +e
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir" --wildcards --ignore-case \
    '*.ogg' '*.wav' '*.flac' '*.mp3' '*.zip' '*.pk3' '*.wz' '*.orgue' '*.sf2' '*.pat' '*.rcc' "./usr/share/doc/$pkg/copyright" 2>/dev/null
  rc=${PIPESTATUS[1]}
  set -e
  [ "$rc" -le 2 ] || { echo "$pkg: tar failed ($rc)" >&2; exit 1; }
  # Sound archives: take their audio out next to them (ARCHIVE.d/), then drop the archive.
  # (.wz: Warzone 2100's zip archives; .orgue: GrandOrgue's organ packages, zip archives of pipe samples)
  find "$dir" -type f \( -iname '*.zip' -o -iname '*.pk3' -o -iname '*.wz' -o -iname '*.orgue' \) -print0 | while IFS= read -r -d '' z; do
    if unzip -Z1 "$z" 2>/dev/null | grep -iE '\.(ogg|wav|flac|mp3)$' >/dev/null; then
      mkdir -p "$z.d"
      unzip -qq -o -C "$z" '*.ogg' '*.wav' '*.flac' '*.mp3' -d "$z.d" 2>/dev/null || true
    fi
    rm -f "$z"
  done
  # Instrument banks (freepats' GUS patches, avldrums' SoundFonts) and Qt resources (gcompris' .rcc): their
  # samples and audio files next to them (FILE.d/).
  find "$dir" -type f \( -iname '*.pat' -o -iname '*.sf2' -o -iname '*.rcc' \) -print0 |
    xargs -0 -r python3 "$HERE/unpack_instruments.py" 2>/dev/null
  find "$dir" -type f \( -iname '*.pat' -o -iname '*.sf2' -o -iname '*.rcc' \) -delete
  dpkg-deb -f "$deb" Version > "$dir/.version"
  touch "$dir/.done"
  echo "$pkg" >> "$OUT/packages.list"
done

# The two sample libraries from their clones: copied (hard links where possible) as two more "packages".
copy_clone() {  # NAME CLONE SUBFOLDER VERSION-NOTE [find exclusions...]
  local name="$1" clone="$2" sub="$3"; shift 3
  local dir="$OUT/extract/$name"
  [ -d "$clone/$sub" ] || { echo "$name: $clone/$sub not found" >&2; exit 1; }
  rm -rf "$dir"; mkdir -p "$dir"
  cp -al "$clone/$sub/." "$dir/" 2>/dev/null || cp -a "$clone/$sub/." "$dir/"
  git -C "$clone" rev-parse HEAD > "$dir/.version" 2>/dev/null || echo "clone" > "$dir/.version"
  touch "$dir/.done"
  echo "$name" >> "$OUT/packages.list"
}
if [ -n "$DIRT" ]; then
  copy_clone dirt-samples "$DIRT" .
  # 808*/909*: the drum machines of the evaluation task (ritchse/tidal-drum-machines) under other names.
  rm -rf "$OUT/extract/dirt-samples"/808* "$OUT/extract/dirt-samples"/909*
fi
[ -n "$CDDA" ] && copy_clone cdda-cc-sounds "$CDDA" sound/CC-Sounds

[ "$EXTRACT_ONLY" = 1 ] && exit 0
python3 "$HERE/layout.py" --out "$OUT" --packages "$(tr '\n' ' ' < "$OUT/packages.list")" ${HOLDOUT:+--holdout "$HOLDOUT"}
if [ ${#EVAL[@]} -gt 0 ]; then
  args=(); for e in "${EVAL[@]}"; do args+=(--eval "$e"); done
  python3 "$HERE/eval_dedup.py" --out "$OUT" "${args[@]}"
fi
