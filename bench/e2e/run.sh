#!/usr/bin/env bash
# End-to-end throughput: `coala embed` against the Python peer (bench/e2e/peer_e2e.py) on the same 10 s clips,
# both limited to 2 threads, in one run. Prints a markdown table and the max difference between their vectors.
#
#   bash bench/e2e/run.sh [--clips 100] [--repeat 5] [--model models/coala-ec.onnx] [--rate 44100] [--channels 2]
#                         [--int8 ec.int8.onnx]   (coala quantize --model M --calibration DIR --output ec.int8.onnx)
#
# --int8 M (from `coala quantize`) adds, in the same run and alternation: `coala embed` with the int8 model, the
# encoder alone of both models (`coala bench --clips 10`, patches/s; fp32 and int8 back to back), the ratios int8/fp32
# and int8/peer, and the cosine between the fp32 and int8 vectors of every clip (min and mean).
#
# --repeat N runs the two N times, alternating (peer, Coala.ML, peer, ...), and reports the median of each figure and
# the range of the ratios: on a shared 2-core VM the peer's speed varies by up to 2x between consecutive runs.
#
# Needs: Debian python3-torch + python3-torchaudio (apt-get install -y python3-torchaudio), GNU time (/usr/bin/time),
# and a Release build (dotnet build src/Coala.ML.Cli -c Release). Run it on an idle machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
clips=100 repeat=1 model=models/coala-ec.onnx rate=44100 channels=2 seconds=10 int8=
while [ $# -gt 0 ]; do
  case "$1" in
    --clips) clips=$2; shift 2 ;; --repeat) repeat=$2; shift 2 ;; --model) model=$2; shift 2 ;; --rate) rate=$2; shift 2 ;;
    --channels) channels=$2; shift 2 ;; --seconds) seconds=$2; shift 2 ;; --int8) int8=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 1 ;;
  esac
done
[ -f "$model" ] || { echo "model not found: $model" >&2; exit 1; }
[ -z "$int8" ] || [ -f "$int8" ] || { echo "int8 model not found: $int8" >&2; exit 1; }
coala=${COALA_DLL:-src/Coala.ML.Cli/bin/Release/net10.0/coala.dll}
[ -f "$coala" ] || dotnet build src/Coala.ML.Cli -c Release -v q -nologo
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

# Deterministic clips: tones, chirps and noise bursts, 16-bit PCM WAV.
/usr/bin/python3 - "$work/clips" "$clips" "$rate" "$channels" "$seconds" <<'EOF'
import os, sys, wave
import numpy as np
out, n, rate, ch, sec = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
os.makedirs(out)
rng = np.random.default_rng(2020)
t = np.arange(int(rate * sec)) / rate
for i in range(n):
    f = 80 * 2 ** rng.uniform(0, 6)
    x = 0.3 * np.sin(2 * np.pi * f * t * (1 + 0.05 * t)) + 0.05 * rng.standard_normal(t.size) * (np.sin(2 * np.pi * 0.5 * t) > 0)
    y = np.stack([x * (1 - 0.3 * c) for c in range(ch)], axis=1)
    with wave.open(os.path.join(out, f"clip{i:04d}.wav"), "wb") as w:
        w.setnchannels(ch); w.setsampwidth(2); w.setframerate(rate)
        w.writeframes((np.clip(y, -1, 1) * 32767).astype("<i2").tobytes())
EOF
files=$(ls "$work"/clips/*.wav)

# Both as a user runs them: the whole process (start-up, model load, every clip), peak RSS from GNU time.
export OMP_NUM_THREADS=2
for r in $(seq 1 "$repeat"); do
  /usr/bin/time -f "%e %M" -o "$work/peer.$r.time" /usr/bin/python3 bench/e2e/peer_e2e.py --model "$model" --threads 2 \
    --output "$work/peer.csv" $files > "$work/peer.$r.json"
  /usr/bin/time -f "%e %M" -o "$work/coala.$r.time" dotnet "$coala" embed "$work/clips" --model "$model" --threads 2 \
    --output "$work/coala.csv" 2> "$work/coala.$r.log"
  if [ -n "$int8" ]; then
    /usr/bin/time -f "%e %M" -o "$work/int8.$r.time" dotnet "$coala" embed "$work/clips" --model "$int8" --threads 2 \
      --output "$work/int8.csv" 2> "$work/int8.$r.log"
    # The encoder alone, fp32 then int8 (ONNX Runtime's default threads: the machine's cores).
    dotnet "$coala" bench --model "$model" --clips 10 > "$work/bench-fp32.$r.txt"
    dotnet "$coala" bench --model "$int8" --clips 10 > "$work/bench-int8.$r.txt"
  fi
done

/usr/bin/python3 - "$work" "$clips" "$seconds" "$repeat" "$int8" <<'EOF'
import csv, json, re, sys
import numpy as np
work, n, sec = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
int8 = len(sys.argv) > 5 and sys.argv[5] != ""
def load(p):
    with open(p) as f:
        r = csv.reader(f); next(r)
        return {row[0].rsplit("/", 1)[-1]: np.array(row[1:], dtype=np.float64) for row in r}
peer, coala = load(f"{work}/peer.csv"), load(f"{work}/coala.csv")
assert peer.keys() == coala.keys() and len(peer) == n, "both must embed every clip"
diff = max(np.max(np.abs(peer[k] - coala[k])) for k in peer)
scale = max(np.max(np.abs(peer[k])) for k in peer)
runs = []
for r in range(1, int(sys.argv[4]) + 1):
    pj = json.load(open(f"{work}/peer.{r}.json"))
    pw, pm = map(float, open(f"{work}/peer.{r}.time").read().split())
    cw, cm = map(float, open(f"{work}/coala.{r}.time").read().split())
    loop = [l for l in open(f"{work}/coala.{r}.log") if l.startswith("embedding took ")]
    assert loop, "coala embed printed no 'embedding took' line"
    run = dict(pw=pw, pm=pm, pl=pj["seconds"], cw=cw, cm=cm, cl=float(loop[-1].split()[2]))
    if int8:
        qw, qm = map(float, open(f"{work}/int8.{r}.time").read().split())
        qloop = [l for l in open(f"{work}/int8.{r}.log") if l.startswith("embedding took ")]
        assert qloop, "coala embed (int8) printed no 'embedding took' line"
        def encoder(name):
            rows = [l for l in open(f"{work}/bench-{name}.{r}.txt") if l.startswith("| encoder alone")]
            assert rows, f"coala bench ({name}) printed no encoder row"
            return float(re.search(r"\| ([0-9.]+) patches/s", rows[0]).group(1))
        run.update(qw=qw, qm=qm, ql=float(qloop[-1].split()[2]), ef=encoder("fp32"), eq=encoder("int8"))
    runs.append(run)
med = {k: float(np.median([x[k] for x in runs])) for k in runs[0]}
pw, pm, pl, cw, cm, cl = (med[k] for k in ("pw", "pm", "pl", "cw", "cm", "cl"))
if int8:
    qw, qm, ql, ef, eq = (med[k] for k in ("qw", "qm", "ql", "ef", "eq"))
print(f"{n} clips of {sec:g} s, 2 threads each; {len(runs)} alternating run(s), medians\n")
print("| pipeline | clips/s (whole process) | x real time | peak RSS |")
print("|---|---|---|---|")
print(f"| Python peer (torch 1.13 + torchaudio 0.13) | {n / pw:.2f} | {n * sec / pw:.0f} | {pm / 1024:.0f} MiB |")
print(f"| Python peer, clip loop only (no start-up) | {n / pl:.2f} | {n * sec / pl:.0f} | |")
print(f"| Coala.ML `coala embed --threads 2` | {n / cw:.2f} | {n * sec / cw:.0f} | {cm / 1024:.0f} MiB |")
print(f"| Coala.ML, clip loop only (no start-up, model load or output) | {n / cl:.2f} | {n * sec / cl:.0f} | |")
if int8:
    print(f"| Coala.ML int8 `coala embed --threads 2` | {n / qw:.2f} | {n * sec / qw:.0f} | {qm / 1024:.0f} MiB |")
    print(f"| Coala.ML int8, clip loop only | {n / ql:.2f} | {n * sec / ql:.0f} | |")
    print(f"\n| encoder alone (`coala bench`, one 10 s clip's patches per run) | patches/s |")
    print("|---|---|")
    print(f"| fp32 | {ef:.0f} |")
    print(f"| int8 | {eq:.0f} |")
    print(f"\nint8 / fp32 (medians): encoder alone {eq / ef:.2f}x patches/s; end to end {cw / qw:.2f}x (whole process), {cl / ql:.2f}x (clip loop)")
    print(f"int8 / peer (medians): {pw / qw:.2f}x (whole process vs whole process), {pl / ql:.2f}x (clip loop vs clip loop), "
          f"{pl / qw:.2f}x (int8 whole process vs the peer's clip loop)")
print(f"\nCoala.ML / peer (medians): {pw / cw:.2f}x (whole process vs whole process), {pl / cl:.2f}x (clip loop vs clip loop), "
      f"{pl / cw:.2f}x (Coala.ML's whole process vs the peer's clip loop)")
if len(runs) > 1:
    for key, (p, c) in {"whole/whole": ("pw", "cw"), "loop/loop": ("pl", "cl"), "whole/peer loop": ("pl", "cw")}.items():
        ratios = [x[p] / x[c] for x in runs]
        print(f"per-run {key}: " + ", ".join(f"{v:.2f}" for v in ratios) + f" (min {min(ratios):.2f}, max {max(ratios):.2f})")
    print("peer clip-loop clips/s per run: " + ", ".join(f"{n / x['pl']:.1f}" for x in runs)
          + "; Coala.ML: " + ", ".join(f"{n / x['cl']:.1f}" for x in runs))
    if int8:
        for key, (a, b) in {"int8/fp32 encoder": ("eq", "ef"), "int8/peer whole/whole": ("pw", "qw")}.items():
            ratios = [x[a] / x[b] for x in runs]
            print(f"per-run {key}: " + ", ".join(f"{v:.2f}" for v in ratios) + f" (min {min(ratios):.2f}, max {max(ratios):.2f})")
print(f"max |coala - peer| over all vectors: {diff:.2e} (largest |value| {scale:.2f})")
if int8:
    q = load(f"{work}/int8.csv")
    assert q.keys() == coala.keys(), "int8 must embed every clip"
    cos = [float(coala[k] @ q[k] / (np.linalg.norm(coala[k]) * np.linalg.norm(q[k]))) for k in coala]
    print(f"cosine fp32 vs int8 over the {len(cos)} clips: min {min(cos):.5f}, mean {np.mean(cos):.5f}")
EOF
