#!/usr/bin/env bash
# Builds the Debian sound-effects pre-training corpus (see docs/CORPUS.md).
#   scripts/corpus/build.sh [--out DIR] [--packages "a b c"] [--max-packages-size MB]
# OUT/debs/       downloaded .deb files (kept: re-runs skip the download)
# OUT/extract/P/  audio (and sound archives' audio) extracted from package P, plus its copyright file
# OUT/audio/P/... the kept clips (hard links, FLAC converted to 16-bit WAV), meaningful path words only
# OUT/tags.csv    path,tags for `coala prepare --csv OUT/tags.csv`
# OUT/packages.tsv, OUT/excluded.tsv, OUT/duplicates.tsv: what came from where, what was left out and why
set -euo pipefail

OUT=/work/corpus-data/debian
PACKAGES="0ad-data megaglest-data hedgewars-data ufoai-sound redeclipse-data wesnoth-1.16-data berusky2-data
freedroidrpg-data flightgear-data-base widelands-data lincity-ng-data warmux-data trigger-rally-data supertux-data
scorched3d-data supertuxkart-data boswars-data colobot-common-sounds hydrogen-drumkits hydrogen-drumkits-effects
sonic-pi-samples lmms-common tuxpaint-stamps-default"
MAX_MB=0   # skip packages whose download is larger than this (0: no limit)

while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    --packages) PACKAGES="$2"; shift 2 ;;
    --max-packages-size) MAX_MB="$2"; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
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
    '*.ogg' '*.wav' '*.flac' '*.zip' '*.pk3' "./usr/share/doc/$pkg/copyright" 2>/dev/null
  rc=${PIPESTATUS[1]}
  set -e
  [ "$rc" -le 2 ] || { echo "$pkg: tar failed ($rc)" >&2; exit 1; }
  # Sound archives: take their audio out next to them (ARCHIVE.d/), then drop the archive.
  find "$dir" -type f \( -iname '*.zip' -o -iname '*.pk3' \) -print0 | while IFS= read -r -d '' z; do
    if unzip -Z1 "$z" 2>/dev/null | grep -iE '\.(ogg|wav|flac)$' >/dev/null; then
      mkdir -p "$z.d"
      unzip -qq -o "$z" '*.ogg' '*.wav' '*.flac' '*.OGG' '*.WAV' -d "$z.d" 2>/dev/null || true
    fi
    rm -f "$z"
  done
  dpkg-deb -f "$deb" Version > "$dir/.version"
  touch "$dir/.done"
  echo "$pkg" >> "$OUT/packages.list"
done

python3 "$HERE/layout.py" --out "$OUT" --packages "$(tr '\n' ' ' < "$OUT/packages.list")"
