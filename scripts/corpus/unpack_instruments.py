#!/usr/bin/env python3
"""Writes the samples of instrument banks as WAV files next to them (called by build.sh; standard library only).

    unpack_instruments.py FILE...

* Gravis UltraSound patches (.pat, freepats): each wave sample of the patch becomes FILE.d/<patch>__sNN.wav
  (at most MAX_PER_PATCH samples, spread over the patch's key ranges); 8/16-bit, signed/unsigned as flagged.
* Qt resource files (.rcc, gcompris-qt-data): their audio entries become FILE.d/<resource path>.
* SoundFont 2 banks (.sf2, avldrums.lv2-soundfont): each sample header of the bank becomes FILE.d/<name>.wav
  (16-bit; ROM samples and sample headers shorter than 100 samples are skipped).
"""
import os
import re
import struct
import sys
import wave

MAX_PER_PATCH = 12


def safe(name):
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "sample"


def write_wav(path, rate, pcm16):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm16)


def to_pcm16(data, sixteen, unsigned):
    if sixteen:
        data = data[:len(data) // 2 * 2]
        if unsigned:
            vals = struct.unpack(f"<{len(data) // 2}H", data)
            return struct.pack(f"<{len(vals)}h", *[v - 32768 for v in vals])
        return data
    if unsigned:
        return struct.pack(f"<{len(data)}h", *[(b - 128) << 8 for b in data])
    return struct.pack(f"<{len(data)}h", *[(b - 256 if b > 127 else b) << 8 for b in data])


def unpack_pat(path):
    b = open(path, "rb").read()
    if not b.startswith(b"GF1PATCH"):
        return 0
    # Header 129 bytes, instrument header 63, layer header 47, then the wave samples (96-byte header + data each).
    nsamples = b[129 + 63 + 6]
    pos = 129 + 63 + 47
    samples = []
    for _ in range(nsamples):
        if pos + 96 > len(b):
            break
        h = b[pos:pos + 96]
        length = struct.unpack_from("<I", h, 8)[0]
        rate = struct.unpack_from("<H", h, 20)[0]
        modes = h[55]
        samples.append((rate, b[pos + 96:pos + 96 + length], bool(modes & 1), bool(modes & 2)))
        pos += 96 + length
    if len(samples) > MAX_PER_PATCH:
        samples = [samples[int(i * len(samples) / MAX_PER_PATCH)] for i in range(MAX_PER_PATCH)]
    stem = os.path.splitext(os.path.basename(path))[0]
    for k, (rate, data, sixteen, unsigned) in enumerate(samples):
        if rate > 0 and data:
            write_wav(os.path.join(path + ".d", f"{safe(stem)}__s{k + 1:02d}.wav"), rate, to_pcm16(data, sixteen, unsigned))
    return len(samples)


def chunks(b, start, end):
    pos = start
    while pos + 8 <= end:
        cid, size = b[pos:pos + 4], struct.unpack_from("<I", b, pos + 4)[0]
        yield cid, pos + 8, size
        pos += 8 + size + (size & 1)


def unpack_sf2(path):
    b = open(path, "rb").read()
    if b[:4] != b"RIFF" or b[8:12] != b"sfbk":
        return 0
    smpl = shdr = None
    for cid, off, size in chunks(b, 12, len(b)):
        if cid == b"LIST":
            for sid, soff, ssize in chunks(b, off + 4, off + size):
                if sid == b"smpl":
                    smpl = (soff, ssize)
                elif sid == b"shdr":
                    shdr = (soff, ssize)
    if not smpl or not shdr:
        return 0
    n = 0
    used = set()
    for i in range(shdr[1] // 46 - 1):  # the last header is the terminal "EOS"
        rec = b[shdr[0] + 46 * i:shdr[0] + 46 * (i + 1)]
        name = rec[:20].split(b"\0")[0].decode("latin-1")
        start, end, _, _, rate = struct.unpack_from("<5I", rec, 20)
        stype = struct.unpack_from("<H", rec, 44)[0]
        if stype & 0x8000 or end - start < 100 or rate == 0:
            continue
        data = b[smpl[0] + 2 * start:smpl[0] + 2 * end]
        base = safe(name)
        out = base
        k = 2
        while out in used:
            out = f"{base}-{k}"
            k += 1
        used.add(out)
        write_wav(os.path.join(path + ".d", out + ".wav"), rate, data)
        n += 1
    return n


def unpack_rcc(path):
    """Qt resource files (gcompris-qt-data's .rcc): their .ogg/.wav/.mp3 entries, under FILE.d/<resource path>."""
    import zlib
    b = open(path, "rb").read()
    if b[:4] != b"qres":
        return 0
    version, tree, data, names = struct.unpack_from(">4I", b, 4)
    node_size = 14 if version == 1 else 22

    def name_at(off):
        length = struct.unpack_from(">H", b, names + off)[0]
        return b[names + off + 6:names + off + 6 + 2 * length].decode("utf-16-be")

    n = 0
    stack = [(0, "")]
    while stack:
        node, prefix = stack.pop()
        pos = tree + node * node_size
        name_off, flags = struct.unpack_from(">IH", b, pos)
        name = name_at(name_off) if node else ""
        full = f"{prefix}/{name}" if prefix else name
        if flags & 2:  # directory
            count, first = struct.unpack_from(">II", b, pos + 6)
            stack.extend((first + i, full) for i in range(count))
            continue
        if os.path.splitext(name)[1].lower() not in (".ogg", ".wav", ".mp3"):
            continue
        doff = struct.unpack_from(">I", b, pos + 10)[0]
        size = struct.unpack_from(">I", b, data + doff)[0]
        blob = b[data + doff + 4:data + doff + 4 + size]
        if flags & 1:
            blob = zlib.decompress(blob[4:])
        elif flags & 4:
            continue  # zstd: not in the standard library
        out = os.path.join(path + ".d", *[safe(x) for x in full.split("/") if x])
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with open(out, "wb") as f:
            f.write(blob)
        n += 1
    return n


def main():
    for path in sys.argv[1:]:
        ext = os.path.splitext(path)[1].lower()
        n = (unpack_pat(path) if ext == ".pat" else unpack_sf2(path) if ext == ".sf2"
             else unpack_rcc(path) if ext == ".rcc" else 0)
        print(f"{path}: {n} samples", file=sys.stderr)


if __name__ == "__main__":
    main()
