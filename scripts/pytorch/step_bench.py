"""The PyTorch anchor of `npm run bench` (issue 16): one training step of a lab architecture in PyTorch.

    /usr/bin/python3 scripts/pytorch/step_bench.py --arch resnet20 --batch 128 --steps 3 --threads 1

builds the architecture from lab_models.py (the same layers, TensorFlow 'same' padding and the lab's
BatchNorm epsilon), then times steps of what the lab's trainer does per plain step: forward in
training mode, mean softmax cross-entropy, backward, SGD with momentum 0.9 and weight decay 5e-4,
on one fixed random batch. One warm-up step, then --steps timed steps; prints one JSON object:
{ arch, batch, threads, msPerStep (median), samplesMs, torch }.
"""
import argparse
import json
import statistics
import time

import torch
from torch import nn

from lab_models import build


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--arch", default="resnet20")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    model = build({"arch": a.arch, "numClasses": 10, "inputShape": [32, 32, 3], "options": {}})
    model.train()
    x = torch.randn(a.batch, 3, 32, 32)
    y = torch.randint(0, 10, (a.batch,))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    loss_fn = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    step()  # warm-up: allocator, kernel selection
    samples = []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        step()
        samples.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({
        "arch": a.arch,
        "batch": a.batch,
        "threads": torch.get_num_threads(),
        "msPerStep": statistics.median(samples),
        "samplesMs": [round(s, 1) for s in samples],
        "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
