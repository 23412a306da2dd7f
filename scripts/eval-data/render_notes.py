#!/usr/bin/env python3
"""Helpers of render-instruments.sh (standard library only).

  render_notes.py midi PROGRAM OUT.mid [NOTES]     one MIDI file: program change, notes 21..108 held 3 s, one every 4 s
  render_notes.py cut MONO.wav DIR PREFIX [NOTES]  cut a rendered mono 16-bit WAV into 4 s notes DIR/PREFIX_<note>.wav,
                                                   skipping (and listing on stdout) notes quieter than -60 dBFS
  NOTES: optional comma-separated MIDI note numbers instead of 21..108 (the same list for midi and cut).
"""
import array
import os
import struct
import sys
import wave

LOW, HIGH = 21, 108          # piano range, as NSynth
STEP_S, HOLD_S = 4, 3        # one note every 4 s, held 3 s
TICKS = 480                  # per quarter note; tempo 500000 us/quarter (120 bpm): 960 ticks a second
VELOCITY = 100


def varlen(n):
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.append(0x80 | (n & 0x7F))
        n >>= 7
    return bytes(reversed(out))


def notes_of(arg):
    return [int(n) for n in arg.split(",")] if arg else list(range(LOW, HIGH + 1))


def midi(program, path, notes):
    events = [(0, bytes([0xFF, 0x51, 0x03]) + (500000).to_bytes(3, "big")), (0, bytes([0xC0, program]))]
    for i, note in enumerate(notes):
        on = i * STEP_S * 2 * TICKS
        events.append((on, bytes([0x90, note, VELOCITY])))
        events.append((on + HOLD_S * 2 * TICKS, bytes([0x80, note, 0])))
    end = len(notes) * STEP_S * 2 * TICKS
    events.append((end - 1, bytes([0xB0, 121, 0])))  # a last event so the final release is rendered
    events.sort(key=lambda e: e[0])
    track, now = bytearray(), 0
    for t, data in events:
        track += varlen(t - now) + data
        now = t
    track += varlen(0) + bytes([0xFF, 0x2F, 0x00])
    with open(path, "wb") as f:
        f.write(b"MThd" + struct.pack(">IHHH", 6, 0, 1, TICKS))
        f.write(b"MTrk" + struct.pack(">I", len(track)) + track)


def cut(src, out_dir, prefix, notes):
    with wave.open(src, "rb") as w:
        if w.getnchannels() != 1 or w.getsampwidth() != 2:
            sys.exit(f"{src}: expected mono 16-bit")
        rate = w.getframerate()
        data = w.readframes(w.getnframes())
    os.makedirs(out_dir, exist_ok=True)
    per = STEP_S * rate * 2
    written = 0
    for i, note in enumerate(notes):
        chunk = data[i * per:(i + 1) * per]
        if len(chunk) < per:
            chunk += bytes(per - len(chunk))
        samples = array.array("h", chunk)
        peak = max(max(samples), -min(samples))
        if peak < 33:  # -60 dBFS: the soundfont has nothing at this pitch
            print(f"silent\t{prefix}\t{note}")
            continue
        with wave.open(os.path.join(out_dir, f"{prefix}_{note:03d}.wav"), "wb") as o:
            o.setnchannels(1)
            o.setsampwidth(2)
            o.setframerate(rate)
            o.writeframes(chunk)
        written += 1
    print(f"written\t{prefix}\t{written}")


if __name__ == "__main__":
    if len(sys.argv) in (4, 5) and sys.argv[1] == "midi":
        midi(int(sys.argv[2]), sys.argv[3], notes_of(sys.argv[4] if len(sys.argv) == 5 else ""))
    elif len(sys.argv) in (5, 6) and sys.argv[1] == "cut":
        cut(sys.argv[2], sys.argv[3], sys.argv[4], notes_of(sys.argv[5] if len(sys.argv) == 6 else ""))
    else:
        sys.exit(__doc__)
