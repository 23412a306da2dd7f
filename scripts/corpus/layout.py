#!/usr/bin/env python3
"""Lays the extracted Debian sounds out as a tagged corpus (called by build.sh; standard library only).

For each package (in the given order) and each audio file under OUT/extract/PKG (ordinal path order):
  1. exclusion rules: music, speech/voice lines, named non-effects (see EXCLUDE_* below), then
     duration outside [MIN_SECONDS, MAX_SECONDS] (soxi), then no meaningful path word left;
  2. exact duplicates: sha1 of the file bytes, first one kept (package order, then path order);
  3. OUT/audio/PKG/<meaningful folders>/<file name>: a hard link (WAV), or FLAC/Ogg decoded to 16-bit WAV (sox);
  4. a row in OUT/tags.csv: path relative to OUT, space-separated tag words.
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

AUDIO = {".ogg", ".wav", ".flac"}
# Decoded to 16-bit WAV with sox: prepare cannot read FLAC, and its Ogg decoder (NVorbis 0.10.5) spins forever
# at the end of some valid files (NVorbis issues #32/#40; e.g. freedroidrpg Menu_Item_Selected_Sound_1.ogg).
DECODE = {".flac", ".ogg"}
MIN_SECONDS = 0.1
MAX_SECONDS = 60.0

# Folder names that say nothing about the sound (install prefixes, engine folders, "sound").
GENERIC = set("""
usr share games game data sounds sound sfx snd audio samples sample wav wave ogg flac lib base default mods mod public
core commondata techs tech megapack factions faction drumkits drumkit hydrogen effects effect misc stuff global
globalmods none apoc library stklib tracks track world aircraft instruments res resources media assets common
zip pk pk3 d
""".split())
# Proper names in sample-library folders (kit authors, kit names, user names): they name a source, not a sound.
NAMES = set("""
belofilms belofilm rumpf forzee millo colombo audiophob mehackit minorr cbeeching black pearl multi layered h2 kit
stereo gimme
""".split())
# Words of the package names: a tag naming the game would only teach the model which package a clip came from.
PACKAGE_WORDS = set("""
ad megaglest glest hedgewars ufoai ufo ai redeclipse eclipse red wesnoth berusky freedroidrpg freedroid rpg flightgear
fg widelands lincity ng warmux trigger rally supertux supertuxkart stk tux scorched scorched3d boswars colobot lmms
tuxpaint stamps stamp sonic pi
""".split())

# Excluded folders (any path component, case-insensitive) and why.
EXCLUDE_DIRS = {
    "music": "music", "musics": "music", "ingame": "music", "menu_music": "music",
    "voice": "speech", "voices": "speech", "speech": "speech", "announcer": "speech",
    "voice_samples": "speech", "tux_ingame_comments": "speech", "campaigns": "speech",
    "tcas": "speech", "mk-viii": "speech", "alphabets": "speech", "titles": "speech",
    "storyline": "speech", "tutorial": "speech", "tutorials": "speech",
    "math": "speech",  # tuxpaint symbols/math: spoken numbers and operators
    "codriver": "speech",  # trigger-rally's spoken pace notes
}
# Excluded file names (regular expression on the lower-case file name) and why.
EXCLUDE_FILES = [
    (re.compile(r"_desc(_[a-z_@]+)?\.(ogg|wav|flac)$"), "speech"),  # tuxpaint spoken stamp descriptions
    # RTS unit replies and announcements (megaglest *_select/*_ack, boswars *.ready/*.underattack/*_action ...)
    (re.compile(r"(^|[_\-.])(select|selected|ack|acknowledge|ready|underattack|completed|action|annoyed|help)"
                r"[_\-.\d]*\.(ogg|wav|flac)$"), "speech (unit reply)"),
]


def words(text):
    """Letter runs, split at lower-to-upper case changes, lower-cased."""
    out = []
    for run in re.findall(r"[^\W\d_]+", text):
        out.extend(w.lower() for w in re.findall(r"[^\W\d_][^\W\d_A-Z]*|[A-Z]+(?![a-z])", run) if w)
    return out


def meaningful(word):
    return len(word) >= 2 and word not in GENERIC and word not in PACKAGE_WORDS and word not in NAMES


def excluded(rel):
    parts = rel.lower().split("/")
    for p in parts[:-1]:
        if p == "music" and "stamps" in parts:
            continue  # tuxpaint's hobbies/music stamps are single instrument sounds, not music tracks
        if p in EXCLUDE_DIRS:
            return f"{EXCLUDE_DIRS[p]} (folder '{p}')"
    for rx, why in EXCLUDE_FILES:
        if rx.search(parts[-1]):
            return f"{why} (file name)"
    return None


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
    """OUT-relative output path: the package, its meaningful folders, the file name (FLAC becomes WAV)."""
    parts = rel.split("/")
    folders = [p for p in parts[:-1] if any(meaningful(w) for w in words(p))]
    name = parts[-1]
    stem, ext = os.path.splitext(name)
    if ext.lower() in DECODE:
        name = stem + ".wav"
    return "/".join(["audio", pkg] + folders + [name])


def tags_of(target):
    parts = target.split("/")[2:]  # drop "audio/PKG"
    parts[-1] = os.path.splitext(parts[-1])[0]
    seen, out = set(), []
    for p in parts:
        for w in words(p):
            if meaningful(w) and w not in seen:
                seen.add(w)
                out.append(w)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--packages", required=True)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    a = ap.parse_args()
    out = a.out
    packages = a.packages.split()

    # 1. Candidates and exclusion by name.
    candidates, excluded_rows = [], []
    files_per_pkg = {}
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
            why = excluded(rel)
            if why:
                excluded_rows.append((pkg, rel, why))
            else:
                candidates.append((pkg, rel))

    # 2. Durations (in parallel: one soxi process per file).
    paths = [os.path.join(out, "extract", pkg, rel) for pkg, rel in candidates]
    with concurrent.futures.ThreadPoolExecutor(a.threads) as ex:
        durations = list(ex.map(duration, paths))

    kept, duplicates, first_by_hash = [], [], {}
    for (pkg, rel), src, dur in zip(candidates, paths, durations):
        if dur is None:
            excluded_rows.append((pkg, rel, "unreadable (soxi failed)"))
            continue
        if dur < MIN_SECONDS:
            excluded_rows.append((pkg, rel, f"too short ({dur:.3f} s)"))
            continue
        if dur > MAX_SECONDS:
            excluded_rows.append((pkg, rel, f"too long, music or ambience track ({dur:.1f} s)"))
            continue
        target = target_rel(pkg, rel)
        tags = tags_of(target)
        if not tags:
            excluded_rows.append((pkg, rel, "no meaningful word in its path"))
            continue
        digest = sha1(src)
        if digest in first_by_hash:
            duplicates.append((pkg, rel, digest, first_by_hash[digest]))
            continue
        first_by_hash[digest] = f"{pkg}/{rel}"
        kept.append((pkg, rel, src, target, tags, dur))

    # 3. Output files: hard links or FLAC converted to 16-bit WAV; two sources mapping to one target keep the first.
    wanted, rows, per_pkg = set(), [], {}
    jobs = []
    for pkg, rel, src, target, tags, dur in kept:
        if target in wanted:
            stem, ext = os.path.splitext(target)
            n = 2
            while f"{stem}-{n}{ext}" in wanted:
                n += 1
            target = f"{stem}-{n}{ext}"
        wanted.add(target)
        rows.append((target, " ".join(tags), pkg, f"{dur:.3f}"))
        per_pkg[pkg] = per_pkg.get(pkg, 0) + 1
        jobs.append((src, os.path.join(out, target)))

    def materialise(job):
        src, dst = job
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if os.path.splitext(src)[1].lower() in DECODE:
            if os.path.exists(dst) and os.path.getmtime(dst) >= os.path.getmtime(src):
                return
            tmp = dst + ".tmp.wav"
            subprocess.run(["sox", "-V1", src, "-b", "16", tmp], check=True)
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
        for target, tags, _, _ in rows:
            w.writerow([target, tags])
    with open(os.path.join(out, "clips.tsv"), "w", encoding="utf-8") as f:
        f.write("path\tpackage\tseconds\ttags\n")
        for target, tags, pkg, dur in rows:
            f.write(f"{target}\t{pkg}\t{dur}\t{tags}\n")
    with open(os.path.join(out, "excluded.tsv"), "w", encoding="utf-8") as f:
        f.write("package\tpath\treason\n")
        for pkg, rel, why in excluded_rows:
            f.write(f"{pkg}\t{rel}\t{why}\n")
    with open(os.path.join(out, "duplicates.tsv"), "w", encoding="utf-8") as f:
        f.write("package\tpath\tsha1\tsame_as\n")
        for pkg, rel, digest, first in duplicates:
            f.write(f"{pkg}\t{rel}\t{digest}\t{first}\n")
    with open(os.path.join(out, "packages.tsv"), "w", encoding="utf-8") as f:
        f.write("package\tversion\taudio_files\tclips\tlicence\n")
        for pkg in packages:
            root = os.path.join(out, "extract", pkg)
            try:
                version = open(os.path.join(root, ".version")).read().strip()
            except OSError:
                version = "?"
            f.write(f"{pkg}\t{version}\t{files_per_pkg.get(pkg, 0)}\t{per_pkg.get(pkg, 0)}\t{licence(root, pkg)}\n")

    reasons = {}
    for _, _, why in excluded_rows:
        key = why.split(" (")[0]
        reasons[key] = reasons.get(key, 0) + 1
    total = sum(per_pkg.values())
    print(f"clips: {total} kept from {sum(files_per_pkg.values())} audio files; "
          f"excluded: {', '.join(f'{n} {k}' for k, n in sorted(reasons.items(), key=lambda kv: -kv[1]))}; "
          f"exact duplicates: {len(duplicates)}", file=sys.stderr)
    for pkg in packages:
        print(f"  {pkg}: {per_pkg.get(pkg, 0)} of {files_per_pkg.get(pkg, 0)}", file=sys.stderr)


if __name__ == "__main__":
    main()
