#!/usr/bin/env python3
"""Lays the extracted sounds out as a tagged corpus (called by build.sh; standard library only).

For each source (in the given order) and each audio file under OUT/extract/SOURCE (ordinal path order):
  1. classification by name (tag_rules.py): speech, music or effect, or left out (a language of tuxpaint's
     descriptions not chosen, a Dirt-Samples folder without a descriptive name, silence); then shorter than
     MIN_SECONDS (soxi), then no meaningful path word left;
  2. exact duplicates: sha1 of the file bytes, first one kept (source order, then path order);
  3. OUT/audio/SOURCE/<meaningful folders>/<file name>: a hard link (WAV), or decoded to 16-bit WAV (sox);
     music tracks longer than 2 pieces and anything longer than LONG_SECONDS become up to MUSIC_PIECES pieces
     <name>__pNN.wav of MUSIC_PIECE_SECONDS, spread evenly over the track (mono);
  4. a row in OUT/tags.csv: path relative to OUT, space-separated tag words (tag_rules.py says which).
Writes OUT/packages.tsv (package, version, audio files, clips kept, licence), OUT/excluded.tsv and
OUT/duplicates.tsv. Idempotent: existing outputs are reused, stale ones removed.
"""
import argparse
import concurrent.futures
import csv
import hashlib
import os
import re
import subprocess
import sys

from tag_rules import (ORGAN_STOPS, DIRT_FILE_WORDS, DIRT_FOLDERS, DIRT_HOLDOUT, DROP, LANGUAGE_NAMES, LANGUAGES, LONG_SECONDS, MIN_SECONDS, MUSIC_DIRS,
                       MUSIC_PIECE_SECONDS, MUSIC_PIECES, NOT_SPEECH_DIRS, SOURCE_LICENCES, SPEAKER_WORDS,
                       SPEECH_DIRS, SPEECH_FILES, SPEECH_MANNER, SPEECH_PREFIXES, SYNONYMS, TUXPAINT_DESC,
                       TUXPAINT_LANGUAGES, SPEECH_PER_LANGUAGE)

AUDIO = {".ogg", ".wav", ".flac", ".mp3"}
# Decoded to 16-bit WAV with sox: prepare cannot read FLAC or MP3, and its Ogg decoder (NVorbis 0.10.5) spins forever
# at the end of some valid files (NVorbis issues #32/#40; e.g. freedroidrpg Menu_Item_Selected_Sound_1.ogg).
DECODE = {".flac", ".ogg", ".mp3"}


def words(text):
    """Letter runs, split at lower-to-upper case changes, lower-cased."""
    out = []
    for run in re.findall(r"[^\W\d_]+", text):
        out.extend(w.lower() for w in re.findall(r"[^\W\d_][^\W\d_A-Z]*|[A-Z]+(?![a-z])", run) if w)
    return out


def meaningful(word):
    return len(word) >= 2 and word not in DROP and SYNONYMS.get(word, word) != ""


def tag_words(text):
    """The meaningful words of a path component, synonyms applied."""
    out = []
    for w in words(text):
        if meaningful(w):
            out.extend(SYNONYMS.get(w, w).split())
    return out


def unique(ws):
    seen, out = set(), []
    for w in ws:
        if w and w not in seen:
            seen.add(w)
            out.append(w)
    return out


def language_of(pkg, rel):
    """The language a speech file's path names: the locale folder of the speech packages (ktuberling sounds/<lang>,
    klettres <lang>, asterisk en_US_f_Allison), tuxpaint's _desc_<lang> suffix (none: English), a folder named by a
    language code, a language name; else none."""
    parts = rel.split("/")
    m = TUXPAINT_DESC.search(parts[-1])
    if m and pkg.startswith("tuxpaint"):
        return LANGUAGES.get((m.group(1) or "en").split("_")[0].split("@")[0])
    for p_, prefix in SPEECH_PREFIXES:
        if pkg == p_ and rel.startswith(prefix):
            return LANGUAGES.get(re.split(r"[_@]", rel[len(prefix):].split("/")[0].lower())[0])
    for p in parts[:-1]:
        if p.lower() in LANGUAGES:
            return LANGUAGES[p.lower()]
        m = re.search(r"_([a-z]{2})$", p.lower())  # hedgewars' voice packs Default_es, Russian_pl ...
        if m and m.group(1) in LANGUAGES:
            return LANGUAGES[m.group(1)]
    for w in words(rel):
        if w in LANGUAGE_NAMES:
            return w
    return None


def speech_tags(pkg, rel):
    tags = ["speech", "voice"]
    lang = language_of(pkg, rel)
    if lang:
        tags.extend(lang.split())
    ws = []
    for p in rel.split("/"):
        ws.extend(re.split(r"[^a-z]+", p.lower()))  # keep 1-letter tokens here: asterisk's en_US_f_Allison
    for w in ws:
        if w in SPEAKER_WORDS and (len(w) > 1 or pkg.startswith("asterisk")):
            tags.extend(SPEAKER_WORDS[w].split())
        elif w in SPEECH_MANNER:
            tags.append(w)
    return unique(tags)


def classify(pkg, rel):
    """(kind, reason): kind is speech, music or effect; reason is set when the file is left out by name."""
    parts = rel.lower().split("/")
    name = parts[-1]
    if any(p in NOT_SPEECH_DIRS for p in parts[:-1]):
        return None, "silence (folder)"
    if pkg == "dirt-samples":
        folder = rel.split("/")[0] if "/" in rel else ""
        if folder in DIRT_HOLDOUT or folder.startswith(("808", "909")):
            return None, f"Dirt-Samples folder '{folder}' repeats a drum machine of the evaluation set"
        if folder not in DIRT_FOLDERS:
            return None, f"Dirt-Samples folder '{folder}' has no descriptive name"
        return ("speech" if DIRT_FOLDERS[folder].startswith("speech") else "effect"), None
    for p_, prefix in SPEECH_PREFIXES:
        if pkg == p_ and rel.startswith(prefix):
            return "speech", None
    m = TUXPAINT_DESC.search(name)
    if m and pkg.startswith("tuxpaint"):
        lang = (m.group(1) or "en").split("_")[0].split("@")[0]
        if lang not in TUXPAINT_LANGUAGES:
            return None, f"speech (tuxpaint description in a language left out: {lang})"
        return "speech", None
    for p in parts[:-1]:
        if p in SPEECH_DIRS:
            return "speech", None
    for rx in SPEECH_FILES:
        if rx.search(name):
            return "speech", None
    for p in parts[:-1]:
        if p == "music" and "stamps" in parts:
            continue  # tuxpaint's hobbies/music stamps are single instrument sounds, not music tracks
        if p in MUSIC_DIRS:
            return "music", None
    return "effect", None


def duration(path):
    try:
        r = subprocess.run(["soxi", "-D", path], capture_output=True, text=True, timeout=60)
        return float(r.stdout.strip()) if r.returncode == 0 and r.stdout.strip() else None
    except (ValueError, subprocess.TimeoutExpired):
        return None


def sha1(path):
    h = hashlib.sha1()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def licence(extract_dir, pkg):
    """The first non-empty "License:" field of the package's copyright file, else the first common-licenses name."""
    if pkg in SOURCE_LICENCES:
        return SOURCE_LICENCES[pkg]
    path = os.path.join(extract_dir, "usr/share/doc", pkg, "copyright")
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return "see the package's copyright file"
    for line in text.splitlines():
        if line.startswith("License:") and line.split(":", 1)[1].strip():
            return line.split(":", 1)[1].strip()
    m = re.search(r"common-licenses/([A-Za-z0-9.+-]+)", text)
    return m.group(1).rstrip(".") if m else "see the package's copyright file"


def target_rel(pkg, rel):
    """OUT-relative output path: the package, its meaningful folders, the file name (decoded formats become WAV)."""
    parts = rel.split("/")
    if pkg == "dirt-samples":
        folders = parts[:-1]
    else:
        folders = [p for p in parts[:-1] if tag_words(p)]
    name = parts[-1]
    stem, ext = os.path.splitext(name)
    if ext.lower() in DECODE:
        name = stem + ".wav"  # (WAV-named files that need decoding keep their name)
    return "/".join(["audio", pkg] + folders + [name])


def tags_of(pkg, rel, kind):
    """The clip's tags: see tag_rules.py."""
    if kind == "speech" and pkg != "dirt-samples":
        return speech_tags(pkg, rel)
    parts = rel.split("/")
    if pkg == "dirt-samples":
        tags = DIRT_FOLDERS[parts[0]].split()
        for w in words(os.path.splitext(parts[-1])[0]):
            tags.extend(DIRT_FILE_WORDS.get(w, "").split())
        return unique(tags)
    if pkg == "grandorgue-demo":
        stops = [ORGAN_STOPS.get(re.sub(r"\d+$", "", p.lower()), "") for p in parts[:-1]]
        return unique(["pipe", "organ"] + " ".join(stops).split())
    parts[-1] = os.path.splitext(parts[-1])[0]
    tags = ["music"] if kind == "music" else []
    for p in parts:
        if p.lower() in MUSIC_DIRS:
            continue
        tags.extend(tag_words(p))
    return unique(tags)


def needs_decode(path):
    """FLAC, Ogg, MP3, and files named .wav that are not RIFF WAV (GrandOrgue's pipes are WavPack files named .wav)."""
    if os.path.splitext(path)[1].lower() in DECODE:
        return True
    with open(path, "rb") as f:
        return f.read(4) != b"RIFF"


def pieces(dur):
    """(start, length) of up to MUSIC_PIECES non-overlapping pieces of MUSIC_PIECE_SECONDS spread evenly over dur."""
    n = min(MUSIC_PIECES, int(dur // MUSIC_PIECE_SECONDS))
    if n <= 1:
        return [(max(0.0, dur / 2 - MUSIC_PIECE_SECONDS / 2), min(dur, MUSIC_PIECE_SECONDS))]
    step = dur / n
    return [(round(i * step + (step - MUSIC_PIECE_SECONDS) / 2, 3), MUSIC_PIECE_SECONDS) for i in range(n)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--packages", required=True)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--holdout", help="evaluation hold-out list: its 'Dirt-Samples/<folder>' lines are left out")
    a = ap.parse_args()
    out = a.out
    packages = a.packages.split()
    if a.holdout and os.path.exists(a.holdout):
        with open(a.holdout, encoding="utf-8") as f:
            DIRT_HOLDOUT.update(line.strip().split("/", 1)[1] for line in f if line.startswith("Dirt-Samples/"))

    # 1. Candidates, classified by name (speech, music, effect) or left out.
    candidates, excluded_rows = [], []
    files_per_pkg = {}
    capped = {}
    for pkg in packages:
        root = os.path.join(out, "extract", pkg)
        found = []
        for d, dirs, files in os.walk(root):
            dirs.sort()
            for f in files:
                full = os.path.join(d, f)
                if os.path.splitext(f)[1].lower() in AUDIO and not os.path.islink(full) and os.path.isfile(full):
                    found.append(os.path.relpath(full, root).replace(os.sep, "/"))
        found.sort()
        files_per_pkg[pkg] = len(found)
        for rel in found:
            kind, why = classify(pkg, rel)
            if why:
                excluded_rows.append((pkg, rel, why))
                continue
            if kind == "speech" and pkg in SPEECH_PER_LANGUAGE:
                capped.setdefault((pkg, language_of(pkg, rel)), []).append(len(candidates))
            candidates.append((pkg, rel, kind))
    # Capped speech sources: at most SPEECH_PER_LANGUAGE[source] clips of each language, spread evenly over the paths.
    drop = set()
    for (pkg, lang), idx in capped.items():
        cap = SPEECH_PER_LANGUAGE[pkg]
        if len(idx) > cap:
            keep = {idx[int(i * len(idx) / cap)] for i in range(cap)}
            drop.update(i for i in idx if i not in keep)
    for i in sorted(drop):
        pkg, rel, _ = candidates[i]
        excluded_rows.append((pkg, rel, f"speech (over {SPEECH_PER_LANGUAGE[pkg]} clips of its language)"))
    candidates = [c for i, c in enumerate(candidates) if i not in drop]

    # 2. Durations (in parallel: one soxi process per file).
    # Cached in OUT/.durations.tsv by path, size and modification time: re-runs skip the soxi calls.
    paths = [os.path.join(out, "extract", pkg, rel) for pkg, rel, _ in candidates]
    cache_path = os.path.join(out, ".durations.tsv")
    cache = {}
    if os.path.exists(cache_path):
        with open(cache_path, encoding="utf-8") as f:
            for line in f:
                p, size, mtime, dur = line.rstrip("\n").split("\t")
                cache[(p, size, mtime)] = float(dur) if dur else None
    keys = []
    for p in paths:
        st = os.stat(p)
        keys.append((p, str(st.st_size), str(int(st.st_mtime))))
    todo = [k for k in keys if k not in cache]
    with concurrent.futures.ThreadPoolExecutor(a.threads) as ex:
        for k, dur in zip(todo, ex.map(duration, [k[0] for k in todo])):
            cache[k] = dur
    durations = [cache[k] for k in keys]
    with open(cache_path + ".tmp", "w", encoding="utf-8") as f:
        for (p, size, mtime), dur in zip(keys, durations):
            f.write(f"{p}\t{size}\t{mtime}\t{'' if dur is None else dur}\n")
    os.replace(cache_path + ".tmp", cache_path)

    # 3. Clips: one per file, or up to MUSIC_PIECES pieces of music tracks and of anything longer than LONG_SECONDS.
    rows, jobs, duplicates, first_by_hash, wanted = [], [], [], {}, set()
    for (pkg, rel, kind), src, dur in zip(candidates, paths, durations):
        if dur is None:
            excluded_rows.append((pkg, rel, "unreadable (soxi failed)"))
            continue
        if dur < MIN_SECONDS:
            excluded_rows.append((pkg, rel, f"too short ({dur:.3f} s)"))
            continue
        tags = tags_of(pkg, rel, kind)
        if not tags:
            excluded_rows.append((pkg, rel, "no meaningful word in its path"))
            continue
        digest = sha1(src)
        if digest in first_by_hash:
            duplicates.append((pkg, rel, digest, first_by_hash[digest]))
            continue
        first_by_hash[digest] = f"{pkg}/{rel}"
        target = target_rel(pkg, rel)
        stem, ext = os.path.splitext(target)
        if target in wanted:
            n = 2
            while f"{stem}-{n}{ext}" in wanted:
                n += 1
            stem = f"{stem}-{n}"
            target = stem + ext
        if (kind == "music" and dur > 2 * MUSIC_PIECE_SECONDS) or dur > LONG_SECONDS:
            for i, (start, length) in enumerate(pieces(dur)):
                t = f"{stem}__p{i + 1:02d}.wav"
                wanted.add(t)
                rows.append((t, " ".join(tags), pkg, f"{length:.3f}", kind))
                jobs.append((src, os.path.join(out, t), start, length))
        else:
            wanted.add(target)
            rows.append((target, " ".join(tags), pkg, f"{dur:.3f}", kind))
            jobs.append((src, os.path.join(out, target), None, None))

    def materialise(job):
        src, dst, start, length = job
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if start is not None or needs_decode(src):
            if (os.path.exists(dst) and not os.path.samefile(src, dst)
                    and os.path.getmtime(dst) >= os.path.getmtime(src)):
                return
            tmp = dst + ".tmp.wav"
            cmd = ["sox", "-V1", src, "-b", "16", tmp]
            if start is not None:  # a piece of a long track: mono, prepare reads one channel anyway
                cmd += ["trim", f"{start:.3f}", f"{length:.3f}", "channels", "1"]
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode != 0:
                print(f"sox failed on {src}: {r.stderr.strip()[:200]}", file=sys.stderr)
                return
            os.replace(tmp, dst)
        else:
            if os.path.exists(dst) and os.path.samefile(src, dst):
                return
            if os.path.exists(dst):
                os.remove(dst)
            try:
                os.link(src, dst)
            except OSError:
                import shutil
                shutil.copy2(src, dst)

    with concurrent.futures.ThreadPoolExecutor(a.threads) as ex:
        list(ex.map(materialise, jobs))
    failed = {r[0] for r in rows if not os.path.exists(os.path.join(out, r[0]))}
    for t in sorted(failed):
        excluded_rows.append((t.split("/")[1], t, "sox could not decode it"))
    rows = [r for r in rows if r[0] not in failed]
    wanted -= failed

    # Stale outputs of earlier runs.
    audio_root = os.path.join(out, "audio")
    for d, _, files in os.walk(audio_root, topdown=False):
        for f in files:
            rel = os.path.relpath(os.path.join(d, f), out).replace(os.sep, "/")
            if rel not in wanted:
                os.remove(os.path.join(d, f))
        if d != audio_root and not os.listdir(d):
            os.rmdir(d)

    # 4. Tables.
    with open(os.path.join(out, "tags.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["path", "tags"])
        for target, tags, _, _, _ in rows:
            w.writerow([target, tags])
    with open(os.path.join(out, "clips.tsv"), "w", encoding="utf-8") as f:
        f.write("path\tpackage\tseconds\tkind\ttags\n")
        for target, tags, pkg, dur, kind in rows:
            f.write(f"{target}\t{pkg}\t{dur}\t{kind}\t{tags}\n")
    with open(os.path.join(out, "excluded.tsv"), "w", encoding="utf-8") as f:
        f.write("package\tpath\treason\n")
        for pkg, rel, why in excluded_rows:
            f.write(f"{pkg}\t{rel}\t{why}\n")
    with open(os.path.join(out, "duplicates.tsv"), "w", encoding="utf-8") as f:
        f.write("package\tpath\tsha1\tsame_as\n")
        for pkg, rel, digest, first in duplicates:
            f.write(f"{pkg}\t{rel}\t{digest}\t{first}\n")
    per_pkg = {}
    for _, _, pkg, dur, kind in rows:
        st = per_pkg.setdefault(pkg, {"clips": 0, "seconds": 0.0, "speech": 0, "music": 0})
        st["clips"] += 1
        st["seconds"] += float(dur)
        if kind in ("speech", "music"):
            st[kind] += 1
    with open(os.path.join(out, "packages.tsv"), "w", encoding="utf-8") as f:
        f.write("package\tversion\taudio_files\tclips\tminutes\tspeech_clips\tmusic_pieces\tlicence\n")
        for pkg in packages:
            root = os.path.join(out, "extract", pkg)
            try:
                version = open(os.path.join(root, ".version")).read().strip()
            except OSError:
                version = "?"
            st = per_pkg.get(pkg, {"clips": 0, "seconds": 0.0, "speech": 0, "music": 0})
            f.write(f"{pkg}\t{version}\t{files_per_pkg.get(pkg, 0)}\t{st['clips']}\t{st['seconds'] / 60:.1f}\t"
                    f"{st['speech']}\t{st['music']}\t{licence(root, pkg)}\n")

    reasons = {}
    for _, _, why in excluded_rows:
        key = why.split(" (")[0]
        reasons[key] = reasons.get(key, 0) + 1
    print(f"clips: {len(rows)} from {sum(files_per_pkg.values())} audio files; "
          f"excluded: {', '.join(f'{n} {k}' for k, n in sorted(reasons.items(), key=lambda kv: -kv[1]))}; "
          f"exact duplicates: {len(duplicates)}", file=sys.stderr)
    for pkg in packages:
        st = per_pkg.get(pkg, {"clips": 0, "seconds": 0.0})
        print(f"  {pkg}: {st['clips']} clips ({st['seconds'] / 60:.1f} min) from {files_per_pkg.get(pkg, 0)} files",
              file=sys.stderr)


if __name__ == "__main__":
    main()
