#!/usr/bin/python3
"""Peer benchmark: the COALA AE-C training step in Python torch (the reference architecture of
xavierfav/coala models_t1000.py, re-typed), on random data, CPU. Prints patches/s.

  /usr/bin/python3 bench/train/peer.py [--threads 2] [--batch 128] [--steps 6] [--warmup 2]
  /usr/bin/python3 bench/train/peer.py --keys      # state-dict key names and shapes of every module
"""
import argparse, json, time
import torch
from torch import nn
from torch.nn import Sequential, Linear, Dropout, ReLU, Sigmoid, Conv2d, ConvTranspose2d, BatchNorm1d, BatchNorm2d


class UnFlatten(nn.Module):
    def forward(self, x):
        return x.view(x.size(0), 128, 3, 3)


def conv_stack():
    layers = []
    for i in range(5):
        layers += [Conv2d(1 if i == 0 else 128, 128, kernel_size=4, stride=2, padding=1), BatchNorm2d(128), ReLU(), Dropout(.25)]
    return Sequential(*layers, nn.Flatten())


class AudioEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.audio_encoder = conv_stack()
        self.fc_audio = Sequential(Linear(1152, 1152, bias=False), Dropout(.25))

    def forward(self, x):
        z = self.audio_encoder(x)
        return z, self.fc_audio(z)


class AudioDecoder(nn.Module):
    def __init__(self):
        super().__init__()
        layers = [UnFlatten(), Dropout(.25)]
        for i in range(4):
            layers += [ConvTranspose2d(128, 128, kernel_size=4, stride=2, padding=1), BatchNorm2d(128), ReLU()]
            if i < 3:
                layers.append(Dropout(.25))
        layers += [ConvTranspose2d(128, 1, kernel_size=4, stride=2, padding=1), BatchNorm2d(1), Sigmoid()]
        self.audio_decoder = Sequential(*layers)

    def forward(self, z):
        return self.audio_decoder(z)


class TagEncoder(nn.Module):
    def __init__(self, v=1000):
        super().__init__()
        self.tag_encoder = Sequential(
            Linear(v, 512), BatchNorm1d(512), ReLU(), Dropout(.25),
            Linear(512, 512), BatchNorm1d(512), ReLU(), Dropout(.25),
            Linear(512, 1152), BatchNorm1d(1152), ReLU(), Dropout(.25))
        self.fc_tag = Sequential(Linear(1152, 1152, bias=False), Dropout(.25))

    def forward(self, t):
        z = self.tag_encoder(t)
        return z, self.fc_tag(z)


class TagDecoder(nn.Module):
    def __init__(self, v=1000):
        super().__init__()
        self.tag_decoder = Sequential(
            Linear(1152, 512), BatchNorm1d(512), ReLU(), Dropout(.25),
            Linear(512, 512), BatchNorm1d(512), ReLU(),
            Linear(512, v), BatchNorm1d(v), Sigmoid())

    def forward(self, z):
        return self.tag_decoder(z)


class CNN(nn.Module):
    def __init__(self, v=1000):
        super().__init__()
        self.encoder = conv_stack()
        self.fc = Sequential(Linear(1152, 1152), ReLU(), Linear(1152, v), Sigmoid())


def kullback_leibler(y_hat, y):
    return (y * (y.add(1e-5).log() - y_hat.add(1e-5).log()) + (y_hat - y)).sum(dim=-1).mean()


def contrastive_loss(za, zt, t):
    z = torch.cat((za, zt), dim=0)
    norms = torch.norm(z, p=2, dim=1)
    s = torch.matmul(z, z.t()) / (norms.unsqueeze(0) * norms.unsqueeze(1))
    n = s.shape[0] // 2
    s = torch.exp(s / t) * (1 - torch.eye(len(s), len(s)))
    denom = s.sum(dim=-1)
    num = torch.cat((s[:n, n:].diag(), s[n:, :n].diag()), dim=0)
    return torch.log((num / denom) + 1e-5).neg().mean()


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--batch', type=int, default=128)
    p.add_argument('--steps', type=int, default=6)
    p.add_argument('--warmup', type=int, default=2)
    p.add_argument('--keys', action='store_true')
    a = p.parse_args()
    if a.keys:
        print(json.dumps({n: {k: list(v.shape) for k, v in m.state_dict().items()} for n, m in
                          [('audio_encoder', AudioEncoder()), ('audio_decoder', AudioDecoder()), ('tag_encoder', TagEncoder()),
                           ('tag_decoder', TagDecoder()), ('cnn', CNN())]}))
        return
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    ae, ad, te, td = AudioEncoder(), AudioDecoder(), TagEncoder(), TagDecoder()
    params = [q for m in (ae, ad, te, td) for q in m.parameters()]
    opt = torch.optim.SGD(params, lr=0.005)
    bce = nn.BCELoss()
    x = torch.rand(a.batch, 1, 96, 96)
    tags = (torch.rand(a.batch, 1000) < 0.01).float()
    for m in (ae, ad, te, td):
        m.train()
    t0 = None
    for step in range(a.warmup + a.steps):
        if step == a.warmup:
            t0 = time.perf_counter()
        z_a, zd_a = ae(x)
        z_t, zd_t = te(tags)
        loss = 5 * kullback_leibler(ad(z_a), x) + 5 * bce(td(z_t), tags) + 10 * contrastive_loss(zd_a, zd_t, 0.1)
        opt.zero_grad()
        loss.backward()
        opt.step()
    dt = time.perf_counter() - t0
    print(json.dumps({'impl': 'python-torch-' + torch.__version__, 'threads': a.threads, 'batch': a.batch,
                      'steps': a.steps, 'seconds': dt, 'patches_per_s': a.steps * a.batch / dt}))


if __name__ == '__main__':
    main()
