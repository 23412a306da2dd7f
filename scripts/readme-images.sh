#!/usr/bin/env bash
# The README's pictures, in one command:
#   scripts/readme-images.sh [--out DIR] [--instruments DIR] [--run DIR] [--model FILE]
# DIR/instrument-confusion.png, DIR/instrument-embedding-map.png: the InstrumentClassification sample on the full
#   soundfont renders (--instruments, default /work/corpus-data/instruments: fluidr3 = train, timgm6mb = test;
#   made by scripts/eval-data/render-instruments.sh). The accuracy in the confusion picture is the sample's
#   pipeline (NormalizeMeanVariance + LbfgsMaximumEntropy), not the README tables' `coala evaluate` run (features
#   standardised on the training split): the README says which is which next to the pictures.
# DIR/training-losses.png, DIR/what-the-model-hears.png: copied from a `coala train` run folder (--run, default
#   /work/corpus-data/runs/aec): its losses.png, and its last reconstructions/epoch_NNN.png (validation patches,
#   top row, vs the AE-C reconstructions, bottom row). Skipped with a note when the run folder has none.
# --model: the encoder (default: $COALA_MODEL, else the default model installed beside the sample, else
#   models/coala-ec.onnx). DIR defaults to docs/images.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=docs/images; INSTR=/work/corpus-data/instruments; RUN=/work/corpus-data/runs/aec; MODEL=${COALA_MODEL:-}
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    --instruments) INSTR="$2"; shift 2 ;;
    --run) RUN="$2"; shift 2 ;;
    --model) MODEL="$2"; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$OUT"
dotnet build samples/InstrumentClassification/InstrumentClassification.csproj -c Release -v q -nologo -clp:ErrorsOnly
bin=samples/InstrumentClassification/bin/Release/net10.0
if [ -z "$MODEL" ] && [ ! -f "$bin/CoalaModels/coala-ec.onnx" ] && [ -f models/coala-ec.onnx ]; then MODEL=models/coala-ec.onnx; fi
model_arg=(); [ -n "$MODEL" ] && model_arg=(--model "$MODEL")
dotnet "$bin/InstrumentClassification.dll" --train "$INSTR/fluidr3" --test "$INSTR/timgm6mb" --out "$OUT" "${model_arg[@]}"

if [ -f "$RUN/losses.png" ]; then cp "$RUN/losses.png" "$OUT/training-losses.png"; echo "wrote $OUT/training-losses.png"
else echo "note: $RUN/losses.png not found; training-losses.png skipped" >&2; fi
last=$(ls "$RUN"/reconstructions/epoch_*.png 2>/dev/null | sort | tail -n 1 || true)
if [ -n "$last" ]; then cp "$last" "$OUT/what-the-model-hears.png"; echo "wrote $OUT/what-the-model-hears.png (from $last)"
else echo "note: no $RUN/reconstructions/epoch_*.png; what-the-model-hears.png skipped" >&2; fi
