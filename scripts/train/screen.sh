#!/usr/bin/env bash
# Recipe screen (issue 17): short training runs of several recipes at the same optimizer-step budget, each exported
# and judged on the dev tasks with the paper's probe, so the defaults of the long run are chosen on evidence.
#   scripts/train/screen.sh --data PREPARED --out DIR [--steps 400] [--batch 64] [--repeats 3] [--recipes FILE]
#       [--coala BIN] [--fsdd DIR] [--instruments DIR] [--drums DIR] [--only NAME]
# FILE: one recipe a line, "NAME|VARIANT|coala train options" ('#' comments); default: the table below.
# DIR/NAME/ holds the run (checkpoint, log), NAME.onnx and the evaluation; DIR/screen.tsv one row per recipe:
# name, variant, options, steps, train minutes, patches/s, validation objective/KL/BCE/contrastive, then the mean
# MLP accuracy (%) of each dev task. A finished recipe is not run again (delete its folder to redo it).
# Runs the published CLI (BIN, default ../coala-bin/coala beside the repository: `dotnet publish src/Coala.ML.Cli
# -c Release -o ../coala-bin`), so rebuilding the repository does not disturb a screen; tcmalloc is preloaded when
# installed (Debian libtcmalloc-minimal4).
set -euo pipefail
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
STEPS=400 REPEATS=3 RECIPES="" ONLY=""
while [ $# -gt 0 ]; do
  if common_option "$1" "${2-}"; then shift 2; continue; fi
  case "$1" in
    --steps) STEPS="$2"; shift 2 ;;
    --recipes) RECIPES="$2"; shift 2 ;;
    --only) ONLY="$2"; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
common_setup screen.sh

DEFAULT_RECIPES="
adamw-prior-aug|aec|--optimizer adamw --lr 0.001 --warmup-steps 50 --prior-init --augment
paper|aec|--optimizer sgd --lr 0.005
adamw-prior|aec|--optimizer adamw --lr 0.001 --warmup-steps 50 --prior-init
adamw-prior-a2a|aec|--optimizer adamw --lr 0.001 --warmup-steps 50 --prior-init --audio-contrast 1
ec-adamw|ec|--optimizer adamw --lr 0.001 --warmup-steps 50
"
recipes() { if [ -n "$RECIPES" ]; then cat "$RECIPES"; else printf '%s\n' "$DEFAULT_RECIPES"; fi; }

epochs=$(epochs_for "$STEPS")
steps=$(( epochs * PER_EPOCH ))
echo "screen: batch $BATCH: $PER_EPOCH steps an epoch, $epochs epochs = $steps steps a recipe" >&2

TSV="$OUT/screen.tsv"
[ -f "$TSV" ] || printf 'name\tvariant\toptions\tsteps\ttrain_min\tpatches_per_s\tval_objective\tval_kl\tval_bce\tval_contrastive\tfsdd_digit\tfsdd_speaker\tinstrument\tdrum\n' > "$TSV"

recipes | while IFS='|' read -r name variant opts; do
  case "$name" in ''|'#'*) continue ;; esac
  [ -z "$ONLY" ] || [ "$ONLY" = "$name" ] || continue
  if grep -q "^$name	" "$TSV"; then echo "$name: done already" >&2; continue; fi
  run="$OUT/$name"
  echo "== $name ($variant $opts): $steps steps" >&2
  start=$(date +%s)
  # shellcheck disable=SC2086
  "$COALA" train --data "$DATA" --variant "$variant" --out "$run" --epochs "$epochs" --batch-size "$BATCH" --no-plots \
    $( [ -f "$run/checkpoint.coala" ] && echo --resume ) $opts < /dev/null > "$run.train.log" 2>&1
  minutes=$(python3 -c "import sys; print(f'{(int(sys.argv[2])-int(sys.argv[1]))/60:.1f}')" "$start" "$(date +%s)")
  "$COALA" export --checkpoint "$run" --output "$run.onnx" > "$run.export.log" 2>&1
  "$COALA" evaluate --model "$name=$run.onnx" "${TASKS[@]}" --repeats "$REPEATS" --no-mlnet --no-plots --out "$run.eval" \
    > "$run.eval.log" 2>&1
  python3 - "$run/training_log.csv" "$run.eval/evaluation.csv" "$name" "$variant" "$opts" "$steps" "$minutes" >> "$TSV" <<'EOF'
import csv, sys
log, ev, name, variant, opts, steps, minutes = sys.argv[1:]
rows = list(csv.DictReader(open(log)))
train = [r for r in rows if r["split"] == "train"][-1]
val = [r for r in rows if r["split"] == "validation"][-1]
acc = {}
for r in csv.DictReader(open(ev)):
    acc.setdefault(r["task"], []).append(float(r["mlp_accuracy"]))
def f(v): return f"{float(v):.4f}" if v not in ("", None) else ""
def a(t): return f"{100 * sum(acc[t]) / len(acc[t]):.1f}" if t in acc else ""
print("\t".join([name, variant, opts, steps, minutes, f"{float(train['patches_per_s']):.1f}",
                 f(val["objective"]), f(val["audio_kl"]), f(val["tag_bce"]), f(val["contrastive"]),
                 a("fsdd-digit"), a("fsdd-speaker"), a("instrument"), a("drum")]))
EOF
  tail -1 "$TSV" >&2
done
column -t -s $'\t' "$TSV" >&2 || cat "$TSV" >&2
