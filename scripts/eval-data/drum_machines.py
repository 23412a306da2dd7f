#!/usr/bin/env python3
"""Helper of drum-machines.sh (standard library only): lays out the drum-type task from an extracted
tidal-drum-machines `machines/` folder.

  drum_machines.py MACHINES_DIR OUT_DIR [--min-machines N]

MACHINES_DIR/<Machine>/<machine>-<type>/<file>.wav becomes OUT_DIR/<split>/<class>/<Machine>/<type>_<file>.wav
(split: test for the machines in TEST_MACHINES, train for the rest). Writes OUT_DIR/labels.csv (path,tags),
OUT_DIR/machines.tsv (machine, split, clips), OUT_DIR/classes.tsv (class, split, machines, clips),
OUT_DIR/holdout.txt (what pre-training must leave out) and OUT_DIR/skipped.tsv (files left out and why).
WAVs the encoder reads (PCM 8-32 bit, IEEE float 32/64) are copied as they are; anything else is converted to
16-bit WAV with sox, or skipped when sox cannot read it.
"""
import os
import shutil
import struct
import subprocess
import sys

# Folder suffix -> drum type. perc (congas, agogo, woodblock, snaps...), misc (scratches, organ hits, cymbals)
# and fx are mixed bags, so they are left out.
CLASS_OF = {
    "bd": "kick",
    "sd": "snare",
    "hh": "closed_hat",
    "oh": "open_hat",
    "lt": "tom", "mt": "tom", "ht": "tom",
    "cp": "clap",
    "rim": "rim",
    "cr": "crash",
    "rd": "ride",
    "cb": "cowbell",
    "sh": "shaker",
    "tb": "tambourine",
}

# Test machines: every 4th of the 71 machine folders in sorted (ordinal) order, starting with the first
# (18 machines, 25%). Fixed here so that machines added upstream later go to training and never move these.
TEST_MACHINES = [
    "AJKPercusyn", "AlesisHR16", "BossDR55", "CasioVL1", "EmuSP12", "KorgKRZ", "KorgT3", "LinnLM2",
    "OberheimDMX", "RolandCompurhythm78", "RolandDDR30", "RolandMT32", "RolandSystem100", "RolandTR707",
    "SakataDPM48", "SimmonsSDS400", "ViscoSpaceDrum", "YamahaRX5",
]

# Dirt-Samples folders that repeat these machines: 808* hold the RolandTR808 files byte for byte (PCM data
# compared); 909 is a TR-909 kick; drumtraks (Sequential Circuits Drumtraks), kicklinn and linnhats (Linn) are
# other recordings of machines in the task.
DIRT_SAMPLES_REPEATS = ["808", "808bd", "808cy", "808hc", "808ht", "808lc", "808lt", "808mc", "808mt", "808oh",
                        "808sd", "909", "drumtraks", "kicklinn", "linnhats"]


def wav_readable(path):
    """True when the file is a RIFF/WAVE the encoder decodes (PCM 8-32 bit or IEEE float 32/64) with audio."""
    try:
        with open(path, "rb") as f:
            b = f.read()
    except OSError:
        return False
    if len(b) < 12 or b[:4] != b"RIFF" or b[8:12] != b"WAVE":
        return False
    i, fmt = 12, None
    while i + 8 <= len(b):
        cid, size = b[i:i + 4], struct.unpack("<I", b[i + 4:i + 8])[0]
        if cid == b"fmt " and size >= 16:
            tag, channels, _, _, _, bits = struct.unpack("<HHIIHH", b[i + 8:i + 24])
            if tag == 0xFFFE and size >= 40:
                tag = struct.unpack("<H", b[i + 32:i + 34])[0]
            fmt = (tag, channels, bits)
        if cid == b"data":
            if fmt is None:
                return False
            tag, channels, bits = fmt
            ok = (tag == 1 and 1 <= bits <= 32) or (tag == 3 and bits in (32, 64))
            return ok and channels >= 1 and size > 0
        i += 8 + size + (size & 1)
    return False


def safe(name):
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in name)


def main():
    args = sys.argv[1:]
    min_machines = 20
    if "--min-machines" in args:
        k = args.index("--min-machines")
        min_machines = int(args[k + 1])
        del args[k:k + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    src, out = args
    machines = sorted(d for d in os.listdir(src) if os.path.isdir(os.path.join(src, d)))
    if not machines:
        sys.exit(f"no machine folders in {src}")
    test = set(TEST_MACHINES)
    missing = sorted(test - set(machines))
    if missing:
        print(f"warning: test machine(s) absent from the source: {' '.join(missing)}", file=sys.stderr)
    split_of = {m: ("test" if m in test else "train") for m in machines}

    # (machine, type folder, file) of every file; classes kept only when enough machines have them.
    files, skipped = [], []
    for m in machines:
        for tdir in sorted(os.listdir(os.path.join(src, m))):
            tpath = os.path.join(src, m, tdir)
            if not os.path.isdir(tpath):
                continue
            kind = tdir.rsplit("-", 1)[-1].lower()
            for root, _, names in os.walk(tpath):
                for n in sorted(names):
                    p = os.path.join(root, n)
                    if kind not in CLASS_OF:
                        skipped.append((os.path.relpath(p, src), f"type '{kind}' not mapped to a drum type"))
                    else:
                        files.append((m, kind, p))
    machines_of = {}
    for m, kind, _ in files:
        machines_of.setdefault(CLASS_OF[kind], set()).add(m)
    kept = set()
    for c, ms in sorted(machines_of.items()):
        splits = {split_of[m] for m in ms}
        if len(ms) < min_machines or splits != {"train", "test"}:
            print(f"class {c} dropped: {len(ms)} machine(s) (need {min_machines}, in both splits)", file=sys.stderr)
        else:
            kept.add(c)

    have_sox = shutil.which("sox") is not None
    rows, clips_of = [], {m: 0 for m in machines}
    for m, kind, p in files:
        c = CLASS_OF[kind]
        rel_src = os.path.relpath(p, src)
        if c not in kept:
            skipped.append((rel_src, f"class {c} dropped (too few machines)"))
            continue
        stem, _ = os.path.splitext(os.path.basename(p))
        rel = os.path.join(split_of[m], c, m, f"{kind}_{safe(stem)}.wav")
        dest = os.path.join(out, rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        if wav_readable(p):
            shutil.copyfile(p, dest)
        elif have_sox and subprocess.run(["sox", "-V1", p, "-b", "16", dest], stdout=subprocess.DEVNULL).returncode == 0 \
                and wav_readable(dest):
            pass
        else:
            if os.path.exists(dest):
                os.remove(dest)
            skipped.append((rel_src, "not decodable" + ("" if have_sox else " (sox not installed)")))
            continue
        rows.append((rel, c, m))
        clips_of[m] += 1

    rows.sort()
    with open(os.path.join(out, "labels.csv"), "w") as f:
        f.write("path,tags\n")
        for rel, c, _ in rows:
            f.write(f"{rel},{c}\n")
    with open(os.path.join(out, "machines.tsv"), "w") as f:
        f.write("machine\tsplit\tclips\n")
        for m in machines:
            f.write(f"{m}\t{split_of[m]}\t{clips_of[m]}\n")
    with open(os.path.join(out, "classes.tsv"), "w") as f:
        f.write("class\tsplit\tmachines\tclips\n")
        for c in sorted(kept):
            for s in ("train", "test"):
                sel = [r for r in rows if r[1] == c and split_of[r[2]] == s]
                f.write(f"{c}\t{s}\t{len({r[2] for r in sel})}\t{len(sel)}\n")
    with open(os.path.join(out, "skipped.tsv"), "w") as f:
        f.write("source\treason\n")
        for p, why in sorted(skipped):
            f.write(f"{p}\t{why}\n")
    with open(os.path.join(out, "holdout.txt"), "w") as f:
        f.write("# Evaluation only: keep all of this out of pre-training corpora (drum type on unseen machines).\n"
                "# Every machine of ritchse/tidal-drum-machines (train and test machines: the probe trains on the\n"
                "# first), then the tidalcycles/Dirt-Samples folders that repeat them.\n")
        for m in machines:
            f.write(f"tidal-drum-machines/machines/{m}\n")
        for d in DIRT_SAMPLES_REPEATS:
            f.write(f"Dirt-Samples/{d}\n")

    for s in ("train", "test"):
        ms = [m for m in machines if split_of[m] == s]
        n = sum(clips_of[m] for m in ms)
        print(f"{s}: {n} clips from {len(ms)} machines", file=sys.stderr)
    print(f"test machines: {' '.join(m for m in machines if split_of[m] == 'test')}", file=sys.stderr)
    print(f"classes: {' '.join(sorted(kept))}; {len(skipped)} file(s) left out (skipped.tsv)", file=sys.stderr)


if __name__ == "__main__":
    main()
