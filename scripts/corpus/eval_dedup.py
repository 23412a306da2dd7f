#!/usr/bin/env python3
"""Drops corpus clips whose audio matches a clip of an evaluation set (called by build.sh; standard library only).

    eval_dedup.py --out OUT --eval DIR [--eval DIR ...] [--similarity 0.95] [--threads N]

Every clip of OUT/tags.csv and every audio file under each --eval folder is decoded once by sox to 8 kHz 16-bit
mono PCM. Two tests, either of which drops the corpus clip:
  * exact: the SHA-1 of that PCM (same audio in another container, bit depth, channel layout or file name);
  * similar: a coarse fingerprint robust to re-encoding, resampling, gain and leading silence. From the onset (the
    first 5 ms frame within 30 dB of the loudest) it takes 160 frames (0.8 s): their level in dB (floored 40 dB
    below the loudest frame, mean removed, unit length) and the zero-crossing rate (a brightness measure) of the
    frames above the floor. Clips with fewer than 10 frames above the floor get the exact test only.
    A pair matches when the level curves' cosine similarity exceeds --similarity (0.95), the zero-crossing rates of the
    frames sounding in both differ by less than 0.03 on average and the sounding lengths (time above the floor)
    are within a factor 1.5; then, as waveforms, the 128 ms from the onset of the evaluation clip, fitted by gain
    and offset (audioop.findfit, +-8 ms) into the corpus clip, leave a residual under 30% of its level (rms).
    Candidates are found through eight projections of the unit level curve (its first cosine coefficients; a pair
    within distance r = sqrt(2 - 2 s) is within r on every projection), so not every pair is compared.
Writes OUT/eval_matches.tsv (clip, eval file, test, similarity), removes the matched rows from OUT/tags.csv and
OUT/clips.tsv and the matched audio files. Fingerprints are cached in OUT/.fingerprints.tsv (path, size, mtime).
"""
import argparse
import audioop  # deprecated in 3.11 (removed in 3.13); C speed for RMS and zero crossings without numpy
import bisect
import concurrent.futures
import csv
import hashlib
import math
import os
import subprocess
import sys

RATE = 8000
FRAME = 40           # 5 ms at 8 kHz: fine enough to tell one drum machine's rimshot from another's
FRAMES = 160         # 0.8 s compared
EXCERPT = 1024       # samples (128 ms) from the onset compared as waveforms
MARGIN = 64          # samples either side of a corpus clip's excerpt searched for the best alignment
MAX_RESIDUAL = 0.3   # waveform test: rms(clip - gain * eval) / rms(clip) over the excerpt, at the best alignment
MIN_SOUNDING = 10    # frames above the floor needed for the similarity test (else: exact test only)
FLOOR_DB = 40.0
ONSET_DB = 30.0
AUDIO = {".wav", ".ogg", ".flac", ".mp3", ".aif", ".aiff"}


def fingerprint(path):
    """(sha1 of the 8 kHz mono PCM, level curve (unit, centred) or None, zcr list, sounding seconds) or None."""
    try:
        r = subprocess.run(["sox", "-V1", path, "-t", "raw", "-r", str(RATE), "-b", "16", "-e", "signed", "-c", "1",
                            "-"], capture_output=True, timeout=300)
    except subprocess.TimeoutExpired:
        return None
    if r.returncode != 0 or not r.stdout:
        return None
    pcm = r.stdout
    digest = hashlib.sha1(pcm).hexdigest()
    n = len(pcm) // (2 * FRAME)
    rms = [audioop.rms(pcm[i * 2 * FRAME:(i + 1) * 2 * FRAME], 2) for i in range(n)]
    if not rms or max(rms) == 0:
        return digest, None, [], 0.0, b""
    peak = max(rms)
    db = [20 * math.log10(max(x, 1e-9) / peak) for x in rms]
    onset = next(i for i, d in enumerate(db) if d >= -ONSET_DB)
    sounding = sum(1 for d in db if d > -FLOOR_DB) * FRAME / RATE
    level = [max(d, -FLOOR_DB) for d in db[onset:onset + FRAMES]]
    if sum(1 for d in level if d > -FLOOR_DB) < MIN_SOUNDING:
        return digest, None, [], sounding, b""
    start = onset * FRAME - MARGIN
    excerpt = pcm[max(0, start) * 2:(onset * FRAME + EXCERPT + MARGIN) * 2]
    excerpt = b"\0\0" * max(0, -start) + excerpt
    excerpt += b"\0" * ((EXCERPT + 2 * MARGIN) * 2 - len(excerpt))
    # Zero-crossing rate of the sounding frames (-1: a frame under the floor, not compared).
    zcr = [audioop.cross(pcm[i * 2 * FRAME:(i + 1) * 2 * FRAME], 2) / FRAME if d > -FLOOR_DB else -1.0
           for i, d in zip(range(onset, onset + len(level)), level)]
    level += [-FLOOR_DB] * (FRAMES - len(level))
    zcr += [-1.0] * (FRAMES - len(zcr))
    mean = sum(level) / FRAMES
    c = [x - mean for x in level]
    norm = math.sqrt(sum(x * x for x in c))
    if norm < 1e-6:  # a constant level (a steady tone or noise over the whole second): compare by hash only
        return digest, None, zcr, sounding, b""
    return digest, [x / norm for x in c], zcr, sounding, excerpt


def waveform_residual(clip, ref):
    """rms(clip - gain * ref) / rms(clip) at the best alignment of ref's core within clip's excerpt (audioop.findfit)."""
    core = ref[MARGIN * 2:(MARGIN + EXCERPT) * 2]
    if audioop.rms(core, 2) == 0 or audioop.rms(clip, 2) == 0:
        return 1.0
    offset, factor = audioop.findfit(clip, core)
    part = clip[offset * 2:(offset + EXCERPT) * 2]
    p = audioop.rms(part, 2)
    if p == 0:
        return 1.0
    fitted = audioop.mul(core, 2, factor)
    diff = audioop.add(part, audioop.mul(fitted, 2, -1), 2)
    return audioop.rms(diff, 2) / p


def audio_files(folder):
    out = []
    for d, dirs, files in os.walk(folder):
        dirs.sort()
        for f in sorted(files):
            if os.path.splitext(f)[1].lower() in AUDIO:
                out.append(os.path.join(d, f))
    return out


def load_cache(path):
    cache = {}
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                p, size, mtime, digest, level, zcr, sounding, excerpt = line.rstrip("\n").split("\t")
                cache[(p, size, mtime)] = (digest, [float(x) for x in level.split(",")] if level else None,
                                           [float(x) for x in zcr.split(",")] if zcr else [], float(sounding),
                                           bytes.fromhex(excerpt))
    except (OSError, ValueError):
        pass
    return cache


def fingerprints(paths, cache, threads):
    keys = []
    for p in paths:
        st = os.stat(p)
        keys.append((p, str(st.st_size), str(int(st.st_mtime))))
    todo = [k for k in keys if k not in cache]
    with concurrent.futures.ThreadPoolExecutor(threads) as ex:
        for k, fp in zip(todo, ex.map(fingerprint, [k[0] for k in todo])):
            cache[k] = fp
    return [cache[k] for k in keys]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--eval", action="append", required=True, help="evaluation audio folder (repeatable)")
    ap.add_argument("--similarity", type=float, default=0.95)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--dry-run", action="store_true", help="write eval_matches.tsv only")
    a = ap.parse_args()
    out = a.out

    with open(os.path.join(out, "tags.csv"), encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, rows = rows[0], rows[1:]
    clips = [os.path.join(out, r[0]) for r in rows]
    evals = []
    for folder in a.eval:
        files = audio_files(folder)
        print(f"eval {folder}: {len(files)} audio files", file=sys.stderr)
        evals.extend(files)

    cache_path = os.path.join(out, ".fingerprints.tsv")
    cache = load_cache(cache_path)
    efp = fingerprints(evals, cache, a.threads)
    cfp = fingerprints(clips, cache, a.threads)
    with open(cache_path + ".tmp", "w", encoding="utf-8") as f:
        for (p, size, mtime), fp in cache.items():
            if fp is None:
                continue
            digest, level, zcr, sounding, excerpt = fp
            f.write(f"{p}\t{size}\t{mtime}\t{digest}\t{','.join(f'{x:.4f}' for x in level) if level else ''}\t"
                    f"{','.join(f'{x:.3f}' for x in zcr)}\t{sounding:.3f}\t{excerpt.hex()}\n")
    os.replace(cache_path + ".tmp", cache_path)

    # Index of the evaluation clips: exact hashes, and level curves sorted by their first projection.
    # Keys: the level curve's first eight cosine (DCT-II) coefficients. Level curves are smooth decays, so most of
    # their spread lies there and a window of +-r on each key keeps few candidates.
    dirs = []
    for k in range(1, 9):
        v = [math.cos(math.pi * k * (i + 0.5) / FRAMES) for i in range(FRAMES)]
        n = math.sqrt(sum(x * x for x in v))
        dirs.append([x / n for x in v])

    def keys(level):
        return [sum(x * y for x, y in zip(level, d)) for d in dirs]

    by_hash = {}
    indexed = []
    for path, fp in zip(evals, efp):
        if fp is None:
            continue
        by_hash.setdefault(fp[0], path)
        if fp[1] is not None:
            indexed.append((keys(fp[1]), path, fp))
    indexed.sort(key=lambda t: t[0][0])
    first_keys = [t[0][0] for t in indexed]
    r = math.sqrt(2 - 2 * a.similarity)

    matches = []
    compared = 0
    for row, path, fp in zip(rows, clips, cfp):
        if fp is None:
            continue
        digest, level, zcr, sounding, excerpt = fp
        if digest in by_hash:
            matches.append((row[0], by_hash[digest], "exact", 1.0))
            continue
        if level is None:
            continue
        k = keys(level)
        best = None
        lo = bisect.bisect_left(first_keys, k[0] - r)
        hi = bisect.bisect_right(first_keys, k[0] + r)
        for ek, epath, (_, elevel, ezcr, esounding, eexcerpt) in indexed[lo:hi]:
            if any(abs(x - y) >= r for x, y in zip(ek, k)):
                continue
            if not (sounding <= 1.5 * esounding and esounding <= 1.5 * sounding):
                continue
            compared += 1
            cos = sum(x * y for x, y in zip(level, elevel))
            if cos <= a.similarity:
                continue
            both = [(x, y) for x, y in zip(zcr, ezcr) if x >= 0 and y >= 0]
            if not both or sum(abs(x - y) for x, y in both) / len(both) >= 0.03:
                continue
            residual = waveform_residual(excerpt, eexcerpt)
            if residual >= MAX_RESIDUAL:
                continue
            if best is None or cos > best[1]:
                best = (epath, cos)
        if best:
            matches.append((row[0], best[0], "similar", best[1]))

    matched = {m[0] for m in matches}
    with open(os.path.join(out, "eval_matches.tsv"), "w", encoding="utf-8") as f:
        f.write("clip\teval_file\ttest\tsimilarity\n")
        for clip, epath, test, sim in matches:
            f.write(f"{clip}\t{epath}\t{test}\t{sim:.4f}\n")
    print(f"eval dedup: {compared} pairs compared", file=sys.stderr)
    if a.dry_run:
        print(f"dry run: {len(matches)} matches", file=sys.stderr)
        return
    with open(os.path.join(out, "tags.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for row in rows:
            if row[0] not in matched:
                w.writerow(row)
    clips_tsv = os.path.join(out, "clips.tsv")
    if os.path.exists(clips_tsv):
        with open(clips_tsv, encoding="utf-8") as f:
            lines = f.readlines()
        with open(clips_tsv, "w", encoding="utf-8") as f:
            f.write(lines[0])
            f.writelines(line for line in lines[1:] if line.split("\t", 1)[0] not in matched)
    for clip in matched:  # only files under OUT/audio: hard links or decoded copies, never a source's own file
        if not clip.startswith("audio/") or os.path.islink(os.path.join(out, clip)):
            continue
        try:
            os.remove(os.path.join(out, clip))
        except OSError:
            pass
    exact = sum(1 for m in matches if m[2] == "exact")
    print(f"eval dedup: {len(evals)} eval files, {len(clips)} clips checked; dropped {len(matches)} "
          f"({exact} exact, {len(matches) - exact} similar); see eval_matches.tsv", file=sys.stderr)


if __name__ == "__main__":
    main()
