"""PyTorch definitions that reproduce WaterMAS Lab models (docs/pytorch.md).

    /usr/bin/python3 scripts/pytorch/lab_models.py MODEL.safetensors INPUT.f32 N OUT.f32

loads a lab model exported with `wmlab export --layout pytorch` into `LabCnn` or `LabResNet`, runs it in eval
mode on N normalised NHWC float32 images (INPUT.f32, little-endian) and writes the logits.
Only the standard library, numpy and torch are needed (the safetensors reader is below).
"""
import json
import struct
import sys

import numpy as np
import torch
from torch import nn

BN_EPSILON = 1e-3  # the lab's BatchNorm epsilon (Keras'), not PyTorch's 1e-5


def read_safetensors(path):
    """name -> torch tensor, for F32 and I64 tensors."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    base = 8 + n
    out = {}
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        begin, end = spec["data_offsets"]
        dtype = {"F32": np.float32, "I64": np.int64}[spec["dtype"]]
        array = np.frombuffer(data[base + begin : base + end], dtype=dtype).reshape(spec["shape"])
        out[name] = torch.from_numpy(array.copy())
    return out, header.get("__metadata__", {})


class LabCnn(nn.Module):
    """The lab's `cnn`: conv(w)-conv(w)-pool-conv(2w)-conv(2w)-pool-dense(hidden)-dense(classes).

    3x3 convolutions at stride 1 ('same' = padding 1 on every side), BatchNorm with eps 1e-3,
    ReLU, 2x2 max pooling. The lab flattens NHWC activations, so the features are permuted to
    channels-last before fc1 (or, equivalently, fc1's columns would have to be permuted).
    """

    def __init__(self, width=32, hidden=128, classes=10, batch_norm=True, image=32):
        super().__init__()
        channels = [3, width, width, 2 * width, 2 * width]
        for i in range(1, 5):
            setattr(self, f"conv{i}", nn.Conv2d(channels[i - 1], channels[i], 3, padding=1, bias=not batch_norm))
            if batch_norm:
                setattr(self, f"bn{i}", nn.BatchNorm2d(channels[i], eps=BN_EPSILON))
        self.batch_norm = batch_norm
        self.fc1 = nn.Linear((image // 4) * (image // 4) * 2 * width, hidden)
        self.head = nn.Module()
        self.head.dense = nn.Linear(hidden, classes)

    def forward(self, x):  # x: N, C, H, W (normalised)
        for i in range(1, 5):
            x = getattr(self, f"conv{i}")(x)
            if self.batch_norm:
                x = getattr(self, f"bn{i}")(x)
            x = torch.relu(x)
            if i in (2, 4):
                x = nn.functional.max_pool2d(x, 2)
        x = x.permute(0, 2, 3, 1).flatten(1)  # the lab's NHWC flatten order
        return self.head.dense(torch.relu(self.fc1(x)))


def same_conv(conv, x):
    """TensorFlow's 'same' padding: total max((out - 1) * s + k - in, 0), the odd pixel at the end."""
    k, s = conv.kernel_size[0], conv.stride[0]
    h, w = x.shape[2], x.shape[3]

    def pads(n):
        out = -(-n // s)
        total = max((out - 1) * s + k - n, 0)
        return total // 2, total - total // 2

    (top, bottom), (left, right) = pads(h), pads(w)
    return conv(nn.functional.pad(x, (left, right, top, bottom)))


class _Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, bias=False)
        self.bn1 = nn.BatchNorm2d(cout, eps=BN_EPSILON)
        self.conv2 = nn.Conv2d(cout, cout, 3, bias=False)
        self.bn2 = nn.BatchNorm2d(cout, eps=BN_EPSILON)
        self.projection = stride != 1 or cin != cout
        if self.projection:
            self.shortcut = nn.Module()
            self.shortcut.conv = nn.Conv2d(cin, cout, 1, stride=stride, bias=False)
            self.shortcut.bn = nn.BatchNorm2d(cout, eps=BN_EPSILON)

    def forward(self, x):
        y = torch.relu(self.bn1(same_conv(self.conv1, x)))
        y = self.bn2(same_conv(self.conv2, y))
        s = self.shortcut.bn(same_conv(self.shortcut.conv, x)) if self.projection else x
        return torch.relu(y + s)


class LabResNet(nn.Module):
    """The lab's `resnet20` (blocksPerStage 3) and its widths/depths: stem, three stages
    (stride 2 at the start of stages 2 and 3, 1x1 projection shortcuts), global average pool."""

    def __init__(self, blocks_per_stage=3, width=16, classes=10):
        super().__init__()
        self.stem = nn.Module()
        self.stem.conv = nn.Conv2d(3, width, 3, bias=False)
        self.stem.bn = nn.BatchNorm2d(width, eps=BN_EPSILON)
        cin = width
        for s, cout in enumerate([width, 2 * width, 4 * width]):
            stage = nn.Module()
            for i in range(blocks_per_stage):
                setattr(stage, f"block{i}", _Block(cin, cout, 2 if s > 0 and i == 0 else 1))
                cin = cout
            setattr(self, f"stage{s + 1}", stage)
        self.blocks_per_stage = blocks_per_stage
        self.head = nn.Module()
        self.head.dense = nn.Linear(cin, classes)

    def forward(self, x):
        x = torch.relu(self.stem.bn(same_conv(self.stem.conv, x)))
        for s in range(1, 4):
            stage = getattr(self, f"stage{s}")
            for i in range(self.blocks_per_stage):
                x = getattr(stage, f"block{i}")(x)
        return self.head.dense(x.mean(dim=(2, 3)))


def build(config):
    o = config.get("options", {})
    if config["arch"] == "cnn":
        return LabCnn(o.get("width", 32), o.get("hidden", 128), config["numClasses"], o.get("batchNorm", True), config["inputShape"][0])
    if config["arch"] == "resnet20":
        return LabResNet(o.get("blocksPerStage", 3), o.get("width", 16), config["numClasses"])
    raise SystemExit(f"this script defines cnn and resnet20, not {config['arch']}")


def main():
    model_path, input_path, count, out_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    state, meta = read_safetensors(model_path)
    config = json.loads(meta["config"])
    h, w, _ = config["inputShape"]
    model = build(config)
    model.load_state_dict(state, strict=True)
    model.eval()
    x = np.fromfile(input_path, dtype="<f4").reshape(count, h, w, 3)
    with torch.no_grad():
        logits = model(torch.from_numpy(x).permute(0, 3, 1, 2).contiguous())
    logits.numpy().astype("<f4").tofile(out_path)


if __name__ == "__main__":
    main()
