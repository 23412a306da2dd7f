#!/usr/bin/env bash
# CI check of samples/ (called from .ci/run): installs what the samples need (apt packages only when missing,
# dotnet-repl from .config/dotnet-tools.json), renders the SMALL data subsets (4 instrument families x 6 notes
# per soundfont; 4 SYNTHETIC genres x 8 clips), builds both sample consoles, runs them, and runs both notebooks
# headless with dotnet-repl. Fails when a step fails, a notebook cell fails, an accuracy floor is missed, or a
# committed notebook lacks its outputs (text, both pictures) or holds outputs of an older version of a cell
# (regenerate them with scripts/notebooks.sh).
# Outputs (PNGs, executed notebooks) go to runs/ci-samples/ (ignored by git).
#   .ci/samples.sh
# The model: the default one (CoalaModels/coala-ec.onnx beside the sample) when the build puts it there, else
# models/coala-ec.onnx through COALA_MODEL.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_CLI_UI_LANGUAGE=en
out=$root/runs/ci-samples
rm -rf "$out"; mkdir -p "$out"
t0=$(date +%s)
step() { echo "== samples: $* (t=$(( $(date +%s) - t0 )) s)"; }

step "tools"
need=()
command -v fluidsynth >/dev/null || need+=(fluidsynth)
command -v sox >/dev/null || need+=(sox)
command -v mma >/dev/null || need+=(mma)
[ -f /usr/share/sounds/sf2/FluidR3_GM.sf2 ] || need+=(fluid-soundfont-gm)
[ -f /usr/share/sounds/sf2/TimGM6mb.sf2 ] || need+=(timgm6mb-soundfont)
if [ ${#need[@]} -gt 0 ]; then
  echo "apt-get install ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
    || { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; }
fi
dotnet tool restore >/dev/null

step "render small data"
scripts/eval-data/render-instruments.sh --small --out "$out/data/instruments"
scripts/eval-data/render-genres.sh --small --out "$out/data/genres"

step "build"
for p in InstrumentClassification GenreClassification; do
  dotnet build "samples/$p/$p.csproj" -c Release -v q -nologo -clp:ErrorsOnly
done

if [ -f samples/InstrumentClassification/bin/Release/net10.0/CoalaModels/coala-ec.onnx ]; then
  echo "model: the default (CoalaModels/coala-ec.onnx beside the samples)"
elif [ -f models/coala-ec.onnx ]; then
  export COALA_MODEL=$root/models/coala-ec.onnx
  echo "model: $COALA_MODEL (no default model beside the samples)"
else
  echo "no model: neither CoalaModels/coala-ec.onnx beside the samples nor models/coala-ec.onnx" >&2
  exit 1
fi

step "InstrumentClassification console"
dotnet samples/InstrumentClassification/bin/Release/net10.0/InstrumentClassification.dll \
  --train "$out/data/instruments/fluidr3" --test "$out/data/instruments/timgm6mb" --output "$out/console" --min-accuracy 0.4
step "GenreClassification console (SYNTHETIC data)"
dotnet samples/GenreClassification/bin/Release/net10.0/GenreClassification.dll \
  --data "$out/data/genres" --output "$out/console"

step "FindInRecording console (FSDD clips in a long recording)"
dotnet build samples/FindInRecording/FindInRecording.csproj -c Release -v q -nologo -clp:ErrorsOnly
# A 30 s recording: nine spoken digits of different speakers with 1.5 s of silence around each; the query is one of
# them, and the best window must contain the middle of where it was placed.
expect=$(python3 - "$root/../shared/data/fsdd/recordings" "$out/data/recording" <<'EOF'
import os, sys, wave
src, dst = sys.argv[1], sys.argv[2]
os.makedirs(dst, exist_ok=True)
names = ["0_jackson_0", "1_nicolas_1", "2_theo_2", "3_yweweler_3", "4_george_4", "5_lucas_5", "6_jackson_6", "7_nicolas_7", "8_theo_8"]
gap = b"\0\0" * int(1.5 * 8000)
frames, mid = b"", None
for i, n in enumerate(names):
    with wave.open(os.path.join(src, n + ".wav")) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (8000, 1, 2)
        clip = w.readframes(w.getnframes())
    frames += gap
    if i == 6: mid = (len(frames) + len(clip) / 2) / 2 / 8000
    frames += clip
frames += gap
with wave.open(os.path.join(dst, "recording.wav"), "wb") as w:
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000); w.writeframes(frames)
print(f"{mid:.2f}")
EOF
)
dotnet samples/FindInRecording/bin/Release/net10.0/FindInRecording.dll --recording "$out/data/recording/recording.wav" \
  --query "$root/../shared/data/fsdd/recordings/6_jackson_6.wav" --hop 0.5 --top 3 --expect "$expect"

# A notebook runs from its own folder (its #r paths are relative to it); dotnet-repl exits non-zero when a cell
# fails, and notebook_outputs.py prints the cells' text and checks for errors and pictures once more, then checks the
# committed notebook's own outputs (present, made from the current cells; differences from this run are listed).
run_notebook() { # folder, notebook, then NAME=VALUE settings
  local dir=$1 nb=$2; shift 2
  ( cd "samples/$dir" && env "$@" COALA_SAMPLE_OUT="$out/notebooks" \
      dotnet repl --run "$nb" --exit-after-run --output-path "$out/${nb%.ipynb}.out.ipynb" >/dev/null ) \
    || { echo "notebook $nb: dotnet-repl exited $?" >&2; python3 .ci/notebook_outputs.py "$out/${nb%.ipynb}.out.ipynb" || true; return 1; }
  python3 .ci/notebook_outputs.py "$out/${nb%.ipynb}.out.ipynb"
  python3 .ci/notebook_outputs.py --committed "samples/$dir/$nb" "$out/${nb%.ipynb}.out.ipynb"
}
step "InstrumentClassification notebook"
run_notebook InstrumentClassification InstrumentClassification.ipynb \
  COALA_SAMPLE_TRAIN="$out/data/instruments/fluidr3" COALA_SAMPLE_TEST="$out/data/instruments/timgm6mb"
step "GenreClassification notebook (SYNTHETIC data)"
run_notebook GenreClassification GenreClassification.ipynb COALA_SAMPLE_DATA="$out/data/genres"

step "done"
ls "$out/console" "$out/notebooks"
