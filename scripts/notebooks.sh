#!/usr/bin/env bash
# Regenerates the committed outputs of samples/*/*.ipynb: renders the small data subsets the notebooks read by
# default (runs/eval-data/instruments-small, runs/eval-data/genres-small; the same ones .ci/samples.sh renders),
# runs each notebook headless with dotnet-repl (pinned in .config/dotnet-tools.json) from its own folder with its
# default settings, and stores the outputs (text, the confusion matrix and embedding map as inline PNGs) in the
# notebook, with the hash of each code cell's source so CI can tell stale outputs (.ci/notebook_outputs.py).
#   scripts/notebooks.sh         (a few minutes on 2 cores; commit the two .ipynb files afterwards)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_CLI_UI_LANGUAGE=en
tmp=$(mktemp -d "${TMPDIR:-/tmp}/coala-notebooks.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

dotnet tool restore >/dev/null
[ -d runs/eval-data/instruments-small/timgm6mb ] || scripts/eval-data/render-instruments.sh --small
[ -f runs/eval-data/genres-small/SYNTHETIC ] || scripts/eval-data/render-genres.sh --small
dotnet build samples/Coala.ML.Samples.Common/Coala.ML.Samples.Common.csproj -c Release -v q -nologo -clp:ErrorsOnly

for nb in InstrumentClassification GenreClassification; do
  echo "== $nb.ipynb"
  # The notebook's defaults, not whatever this shell has set; only its PNG copies go to the temporary folder.
  ( cd "samples/$nb" && env -u COALA_MODEL -u COALA_SAMPLE_TRAIN -u COALA_SAMPLE_TEST -u COALA_SAMPLE_DATA \
      COALA_SAMPLE_OUT="$tmp/png" dotnet repl --run "$nb.ipynb" --exit-after-run --output-path "$tmp/$nb.ipynb" >/dev/null )
  python3 .ci/notebook_outputs.py "$tmp/$nb.ipynb"
  python3 .ci/notebook_outputs.py --store "$tmp/$nb.ipynb" "samples/$nb/$nb.ipynb" "$root"
done
