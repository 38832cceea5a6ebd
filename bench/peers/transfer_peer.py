#!/usr/bin/env python3
"""PyTorch peer of the lab's transfer benchmark: a frozen MobileNetV2 (alpha 0.35, 224 px) with a new head
(Dense 100 + ReLU, dropout 0.2, classifier) trained for N epochs with Adam on a folder of class subfolders.

--mode naive: the frozen backbone runs on every image in every epoch (what a plain training loop does).
--mode cached: the backbone runs once per image; the epochs train the head on the stored features.

The backbone has RANDOM weights (torchvision cannot download the pretrained ones here): the timings are what
matter; its test accuracy is not comparable with the lab's pretrained backbone. Prints one JSON line.
"""
import argparse
import json
import os
import time

import numpy as np
import torch
import torchvision
from PIL import Image


def load(folder, size):
    classes = sorted(d for d in os.listdir(folder) if os.path.isdir(os.path.join(folder, d)))
    xs, ys = [], []
    for k, c in enumerate(classes):
        for f in sorted(os.listdir(os.path.join(folder, c))):
            im = Image.open(os.path.join(folder, c, f)).convert('RGB').resize((size, size), Image.BILINEAR)
            xs.append(np.asarray(im, dtype=np.uint8))
            ys.append(k)
    x = torch.from_numpy(np.stack(xs)).permute(0, 3, 1, 2).float().div(127.5).sub(1)
    return x, torch.tensor(ys), classes


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', required=True)
    ap.add_argument('--epochs', type=int, default=20)
    ap.add_argument('--mode', choices=['naive', 'cached'], default='cached')
    ap.add_argument('--size', type=int, default=224)
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--train-fraction', type=float, default=0.8)
    # torch may default to fewer threads than cores (1 on the 2-core bench machine); the lab uses every core.
    ap.add_argument('--threads', type=int, default=os.cpu_count() or 1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    t0 = time.time()
    x, y, classes = load(a.data, a.size)
    load_s = time.time() - t0
    g = torch.Generator().manual_seed(0)
    perm = torch.randperm(len(y), generator=g)
    n_train = int(len(y) * a.train_fraction)
    tr, te = perm[:n_train], perm[n_train:]

    net = torchvision.models.mobilenet_v2(weights=None, width_mult=0.35)
    backbone = torch.nn.Sequential(net.features, torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten()).eval()
    for p in backbone.parameters():
        p.requires_grad_(False)
    dim = backbone(torch.zeros(1, 3, a.size, a.size)).shape[1]
    head = torch.nn.Sequential(torch.nn.Linear(dim, 100), torch.nn.ReLU(), torch.nn.Dropout(0.2), torch.nn.Linear(100, len(classes)))
    opt = torch.optim.Adam(head.parameters(), lr=1e-3)
    lossf = torch.nn.CrossEntropyLoss()

    def features(idx):
        with torch.no_grad():
            return torch.cat([backbone(x[idx[i:i + 64]]) for i in range(0, len(idx), 64)])

    t1 = time.time()
    pass_s = None
    cached = None
    if a.mode == 'cached':
        cached = features(tr)
        pass_s = time.time() - t1
    for epoch in range(a.epochs):
        head.train()
        order = torch.randperm(len(tr), generator=g)
        for i in range(0, len(tr), a.batch):
            b = order[i:i + a.batch]
            if cached is not None:
                f = cached[b]
            else:
                with torch.no_grad():
                    f = backbone(x[tr[b]])
            opt.zero_grad()
            loss = lossf(head(f), y[tr[b]])
            loss.backward()
            opt.step()
    train_s = time.time() - t1
    head.eval()
    with torch.no_grad():
        acc = (head(features(te)).argmax(1) == y[te]).float().mean().item()
    print(json.dumps({'peer': f'torch {torch.__version__} ({a.mode})', 'mode': a.mode, 'epochs': a.epochs, 'n_train': n_train,
                      'load_s': round(load_s, 3), 'backbone_pass_s': None if pass_s is None else round(pass_s, 3),
                      'train_s': round(train_s, 3), 'train_images_per_s': round(n_train * a.epochs / train_s, 2),
                      'test_accuracy_random_backbone': round(acc, 4), 'threads': torch.get_num_threads()}))


if __name__ == '__main__':
    main()
