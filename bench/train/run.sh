#!/bin/sh
# Runs the TorchSharp AE-C training-step benchmark (with and without tcmalloc) and the Python torch peer
# back to back on the same machine; prints each JSON line and the ratios.
#   needs: apt-get install -y python3-torch libtcmalloc-minimal4
set -e
cd "$(dirname "$0")"
THREADS=${THREADS:-2}; BATCH=${BATCH:-128}; STEPS=${STEPS:-6}; WARMUP=${WARMUP:-2}
dotnet build -c Release -v q -nologo . >/dev/null
BIN=bin/Release/net10.0/Coala.ML.Training.Bench
TC=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
A="--threads $THREADS --batch $BATCH --steps $STEPS --warmup $WARMUP"
ts=$($BIN $A); echo "$ts"
if [ -f $TC ]; then tst=$(LD_PRELOAD=$TC $BIN $A); echo "$tst"; fi
py=$(/usr/bin/python3 peer.py $A); echo "$py"
python3 - "$ts" "${tst:-}" "$py" <<'PY'
import json, sys
ts, tst, py = sys.argv[1], sys.argv[2], sys.argv[3]
p = json.loads(py)['patches_per_s']
print('torchsharp / python-torch: %.2f' % (json.loads(ts)['patches_per_s'] / p))
if tst:
    print('torchsharp+tcmalloc / python-torch: %.2f' % (json.loads(tst)['patches_per_s'] / p))
PY
