#!/usr/bin/python3
"""Python peer of `coala embed`: the COALA embedding pipeline as a Python user runs it on this machine.

Debian python3-torch 1.13 + python3-torchaudio 0.13, CPU, 2 threads (set with --threads):
  torchaudio.load -> mean over channels -> torchaudio.transforms.Resample to 22000 Hz (one per input rate) ->
  torchaudio MelSpectrogram with the reference's librosa-equivalent settings (n_fft 1024, hop 512, periodic Hann,
  centred reflect padding, magnitude, 96 Slaney mel bands, Slaney norm) -> log(x + 1.1920929e-07) ->
  non-overlapping 96-frame patches (a clip shorter than one patch is zero-padded to one) -> per-band min-max
  scaling -> the COALA audio encoder (5 x Conv 4x4/2 + BN + ReLU, eval mode) -> mean over the clip's patches.

The encoder weights and the scaler are read from a Coala.ML ONNX model (a few lines of protobuf wire-format
parsing: Debian's python has no `onnx` package), so both pipelines compute the same function and their outputs
can be compared, not only timed.

  /usr/bin/python3 bench/e2e/peer_e2e.py --model models/coala-aec.onnx --output peer.csv clip1.wav clip2.wav ...
Prints one line of JSON: clips, seconds, clips_per_s, x_real_time, peak_rss_mib.
"""
import argparse
import json
import resource
import struct
import sys
import time

import numpy as np
import torch
import torchaudio
from torch import nn

SR = 22000
N_FFT = 1024
HOP = 512
N_MELS = 96
FRAMES = 96
EPS = 1.1920929e-07


# --- minimal ONNX reader: the float/int64 initializers of ModelProto.graph -------------------------------------
def _varint(buf, i):
    shift = result = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, i
        shift += 7


def _fields(buf):
    """Yields (field number, wire type, value) of one protobuf message; value is int or bytes."""
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            v, i = _varint(buf, i)
        elif wire == 1:
            v, i = buf[i:i + 8], i + 8
        elif wire == 2:
            n, i = _varint(buf, i)
            v, i = buf[i:i + n], i + n
        elif wire == 5:
            v, i = buf[i:i + 4], i + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield field, wire, v


def read_initializers(path):
    with open(path, "rb") as f:
        model = f.read()
    graph = next(v for f, w, v in _fields(model) if f == 7)
    tensors = {}
    for f, w, v in _fields(graph):
        if f != 5:  # GraphProto.initializer
            continue
        dims, dtype, name, raw, int64s = [], 1, "", None, []
        for tf, tw, tv in _fields(v):
            if tf == 1:
                if tw == 2:  # packed dims
                    j = 0
                    while j < len(tv):
                        d, j = _varint(tv, j)
                        dims.append(d)
                else:
                    dims.append(tv)
            elif tf == 2:
                dtype = tv
            elif tf == 8:
                name = tv.decode()
            elif tf == 9:
                raw = tv
            elif tf == 7:  # int64_data
                if tw == 2:
                    j = 0
                    while j < len(tv):
                        d, j = _varint(tv, j)
                        int64s.append(d)
                else:
                    int64s.append(tv)
        if dtype == 1 and raw is not None:
            tensors[name] = np.frombuffer(raw, dtype="<f4").reshape(dims).copy()
        elif dtype == 7:
            tensors[name] = np.array([x - (1 << 64) if x >= 1 << 63 else x for x in int64s], dtype=np.int64)
    return tensors


# --- the encoder -------------------------------------------------------------------------------------------------
class Encoder(nn.Module):
    def __init__(self, t):
        super().__init__()
        layers = []
        for b in range(5):
            conv, bn = f"audio_encoder.{4 * b}", f"audio_encoder.{4 * b + 1}"
            c = nn.Conv2d(1 if b == 0 else 128, 128, kernel_size=4, stride=2, padding=1)
            c.weight.data = torch.from_numpy(t[conv + ".weight"])
            c.bias.data = torch.from_numpy(t[conv + ".bias"])
            n = nn.BatchNorm2d(128)
            n.weight.data = torch.from_numpy(t[bn + ".weight"])
            n.bias.data = torch.from_numpy(t[bn + ".bias"])
            n.running_mean.data = torch.from_numpy(t[bn + ".running_mean"])
            n.running_var.data = torch.from_numpy(t[bn + ".running_var"])
            layers += [c, n, nn.ReLU()]
        self.net = nn.Sequential(*layers, nn.Flatten())
        self.scale_min = torch.from_numpy(t["coala_scaler_min"])      # [1, 1, bands, 1]
        self.scale = torch.from_numpy(t["coala_scaler_scale"])

    def forward(self, logmel_patches):                                  # [P, 1, bands, frames]
        return self.net((logmel_patches - self.scale_min) * self.scale)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True)
    p.add_argument("--output")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("files", nargs="+")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_grad_enabled(False)
    encoder = Encoder(read_initializers(a.model)).eval()
    melspec = torchaudio.transforms.MelSpectrogram(
        sample_rate=SR, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS, power=1.0, center=True, pad_mode="reflect",
        norm="slaney", mel_scale="slaney", window_fn=torch.hann_window)
    rows, audio_seconds, resamplers = [], 0.0, {}
    start = time.perf_counter()
    for path in a.files:
        wave, rate = torchaudio.load(path)                              # [channels, samples], float32
        mono = wave.mean(dim=0)
        audio_seconds += mono.shape[0] / rate
        if rate != SR:
            if rate not in resamplers:  # the kernel is designed once per input rate, as a careful user would
                resamplers[rate] = torchaudio.transforms.Resample(rate, SR)
            mono = resamplers[rate](mono)
        min_len = (FRAMES - 1) * HOP                                    # 48,640: the shortest clip with one patch
        if mono.shape[0] < min_len:
            mono = torch.nn.functional.pad(mono, (0, min_len - mono.shape[0]))
        logmel = torch.log(melspec(mono) + EPS)                         # [bands, frames]
        n = logmel.shape[1] // FRAMES
        patches = logmel[:, :n * FRAMES].reshape(N_MELS, n, FRAMES).permute(1, 0, 2).unsqueeze(1)
        rows.append((path, encoder(patches.contiguous()).mean(dim=0).numpy()))
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if a.output:
        with open(a.output, "w") as f:
            f.write("path," + ",".join(f"e{d}" for d in range(rows[0][1].shape[0])) + "\n")
            for path, v in rows:
                f.write(path + "," + ",".join(repr(float(x)) for x in v) + "\n")
    print(json.dumps({"clips": len(rows), "seconds": elapsed, "clips_per_s": len(rows) / elapsed,
                      "x_real_time": audio_seconds / elapsed, "peak_rss_mib": peak}))


if __name__ == "__main__":
    sys.exit(main())
