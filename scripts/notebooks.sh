#!/usr/bin/env bash
# Regenerates the committed outputs of samples/*/*.ipynb: renders the small data subsets (the notebooks' default
# data, and what .ci/samples.sh renders; the renders are repeatable, so CI's run can be compared with these
# outputs) into a temporary folder, runs each notebook headless with dotnet-repl (pinned in
# .config/dotnet-tools.json) from its own folder on that data, and stores the outputs (text, the confusion matrix
# and embedding map as inline PNGs) in the notebook, with the hash of each code cell's source so CI can tell
# stale outputs (.ci/notebook_outputs.py).
#   scripts/notebooks.sh         (a few minutes on 2 cores; commit the two .ipynb files afterwards)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_CLI_UI_LANGUAGE=en
tmp=$(mktemp -d "${TMPDIR:-/tmp}/coala-notebooks.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

dotnet tool restore >/dev/null
scripts/eval-data/render-instruments.sh --small --out "$tmp/data/instruments"
scripts/eval-data/render-genres.sh --small --out "$tmp/data/genres"
dotnet build samples/Coala.ML.Samples.Common/Coala.ML.Samples.Common.csproj -c Release -v q -nologo -clp:ErrorsOnly

for nb in InstrumentClassification GenreClassification; do
  echo "== $nb.ipynb"
  # The notebook's default model (../../models/coala-ec.onnx), whatever this shell has set; the fresh data; its
  # PNG copies go to the temporary folder.
  ( cd "samples/$nb" && env -u COALA_MODEL COALA_SAMPLE_TRAIN="$tmp/data/instruments/fluidr3" \
      COALA_SAMPLE_TEST="$tmp/data/instruments/timgm6mb" COALA_SAMPLE_DATA="$tmp/data/genres" \
      COALA_SAMPLE_OUT="$tmp/png" dotnet repl --run "$nb.ipynb" --exit-after-run --output-path "$tmp/$nb.ipynb" >/dev/null )
  python3 .ci/notebook_outputs.py "$tmp/$nb.ipynb"
  python3 .ci/notebook_outputs.py --store "$tmp/$nb.ipynb" "samples/$nb/$nb.ipynb" "$root"
done
