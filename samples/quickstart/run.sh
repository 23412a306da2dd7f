#!/usr/bin/env bash
# Coala.ML quickstart: train a small model of your own end to end (the shipped model needs none of this):
#   1. fetch a small real, tagged sample library from Debian (lmms-common: ~200 drum, bass, synth and
#      effect samples, GPL-2+; tags are the words of each file's path, e.g. "drums/bassdrum01.ogg"),
#   2. coala prepare  -> log-mel patches, multi-hot tags, 90/10 split, scaler
#   3. coala train    -> a short AE-C run (EPOCHS, default 5; resumes if run again)
#   4. coala export   -> an ONNX encoder with its frontend and scaler
#   5. coala embed    -> one 1152-d vector per sample, in a CSV
# Everything lands in $COALA_QUICKSTART_DIR (default: runs/quickstart, ignored by git).
# Needs: the .NET 10 SDK, apt-get (Debian/Ubuntu) to download the package; root or sudo is not needed for
# `apt-get download`. A demonstration of the workflow on ~200 clips, not a useful model.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${COALA_QUICKSTART_DIR:-$root/runs/quickstart}
epochs=${EPOCHS:-5}
mkdir -p "$work"
cd "$work"

if [ ! -d corpus/samples ]; then
  if ! ls lmms-common_*.deb >/dev/null 2>&1; then
    apt-get download lmms-common 2>/dev/null || { apt-get update -qq && apt-get download lmms-common; }
  fi
  mkdir -p corpus
  dpkg-deb --fsys-tarfile lmms-common_*.deb | tar -x -C corpus --wildcards './usr/share/lmms/samples/*'
  mv corpus/usr/share/lmms/samples corpus/samples && rm -rf corpus/usr
fi

echo "== building coala" >&2
dotnet build "$root/src/Coala.ML.Cli" -c Release -v q -nologo >/dev/null
coala() { dotnet "$root/src/Coala.ML.Cli/bin/Release/net10.0/coala.dll" "$@"; }

echo "== coala prepare" >&2
coala prepare --folder corpus/samples --output prepared --min-count 3

echo "== coala train (AE-C, $epochs epochs)" >&2
tcmalloc=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
resume=(); [ -f run/checkpoint.coala ] && resume=(--resume)
if [ -e "$tcmalloc" ]; then export_preload=$tcmalloc; else export_preload=; fi
LD_PRELOAD=$export_preload coala train --data prepared --variant aec --output run --epochs "$epochs" --batch-size 32 --threads "$(nproc)" "${resume[@]}"

echo "== coala export" >&2
coala export --checkpoint run --output coala-aec-quickstart.onnx

echo "== coala embed" >&2
# Exit code 2: some files were not embedded (listed above; e.g. FLAC or Vorbis-in-WAV samples), the rest were.
coala embed corpus/samples --recursive --output embeddings.csv --model coala-aec-quickstart.onnx || [ $? -eq 2 ]

echo "done: $work/embeddings.csv (one row per sample), model $work/coala-aec-quickstart.onnx, plots in $work/run" >&2
