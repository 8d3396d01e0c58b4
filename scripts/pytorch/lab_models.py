"""PyTorch definitions that reproduce WaterMAS Lab models (docs/pytorch.md).

    /usr/bin/python3 scripts/pytorch/lab_models.py MODEL.safetensors INPUT.f32 N OUT.f32

loads a lab model exported with `wmlab export --layout pytorch` into its PyTorch definition below (every architecture of the zoo), runs it in eval
mode on N normalised NHWC float32 images (INPUT.f32, little-endian) and writes the logits.
Only the standard library, numpy and torch are needed (the safetensors reader is below).
"""
import json
import os
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


def make_divisible(v, divisor=8):
    """The lab's makeDivisible (src/engine/models/options.ts)."""
    r = max(divisor, int(v + divisor / 2) - int(v + divisor / 2) % divisor)
    return r + divisor if r < 0.9 * v else r


class LabVgg11(nn.Module):
    """The lab's `vgg11`: VGG-11 layout at a width multiplier, BatchNorm (eps 1e-3), 'same' 3x3
    convolutions, 2x2 max pooling, NHWC flatten, optional fc1 (hidden) and head.dense."""

    LAYOUT = [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"]

    def __init__(self, width_multiplier=0.25, hidden=128, classes=10, image=32):
        super().__init__()
        cin, i, self.plan = 3, 0, []
        for item in self.LAYOUT:
            if item == "M":
                self.plan.append("M")
                continue
            i += 1
            cout = make_divisible(item * width_multiplier, 4)
            setattr(self, f"conv{i}", nn.Conv2d(cin, cout, 3, bias=False))
            setattr(self, f"bn{i}", nn.BatchNorm2d(cout, eps=BN_EPSILON))
            self.plan.append(i)
            cin = cout
        flat = (image // 32) * (image // 32) * cin
        self.hidden = hidden
        if hidden > 0:
            self.fc1 = nn.Linear(flat, hidden)
        self.head = nn.Module()
        self.head.dense = nn.Linear(hidden if hidden > 0 else flat, classes)

    def forward(self, x):
        for p in self.plan:
            x = nn.functional.max_pool2d(x, 2) if p == "M" else torch.relu(getattr(self, f"bn{p}")(same_conv(getattr(self, f"conv{p}"), x)))
        f = x.permute(0, 2, 3, 1).flatten(1)
        if self.hidden > 0:
            f = torch.relu(self.fc1(f))
        return self.head.dense(f)


class _Bneck(nn.Module):
    def __init__(self, cin, k, exp, out, se, hs, stride):
        super().__init__()
        self.act = nn.functional.hardswish if hs else torch.relu
        self.has_expand, self.has_se = exp != cin, se
        self.residual = stride == 1 and cin == out
        if self.has_expand:
            self.expand = nn.Module()
            self.expand.conv = nn.Conv2d(cin, exp, 1, bias=False)
            self.expand.bn = nn.BatchNorm2d(exp, eps=BN_EPSILON)
        self.dw = nn.Conv2d(exp, exp, k, stride=stride, groups=exp, bias=False)
        self.dw.bn = nn.BatchNorm2d(exp, eps=BN_EPSILON)
        if se:
            sq = make_divisible(exp / 4, 8)
            self.se = nn.Module()
            self.se.reduce = nn.Linear(exp, sq)
            self.se.expand = nn.Linear(sq, exp)
        self.project = nn.Module()
        self.project.conv = nn.Conv2d(exp, out, 1, bias=False)
        self.project.bn = nn.BatchNorm2d(out, eps=BN_EPSILON)

    def forward(self, x):
        y = x
        if self.has_expand:
            y = self.act(self.expand.bn(self.expand.conv(y)))
        y = self.act(self.dw.bn(same_conv(self.dw, y)))
        if self.has_se:
            s = torch.relu(self.se.reduce(y.mean(dim=(2, 3))))
            y = y * nn.functional.hardsigmoid(self.se.expand(s))[:, :, None, None]
        y = self.project.bn(self.project.conv(y))
        return y + x if self.residual else y


class LabMobileNetV3Small(nn.Module):
    """The lab's `mobilenetv3s` (its 32x32 adaptation: stem and first bneck at stride 1)."""

    ROWS = [(3, 16, 16, True, False, 1), (3, 72, 24, False, False, 2), (3, 88, 24, False, False, 1), (5, 96, 40, True, True, 2),
            (5, 240, 40, True, True, 1), (5, 240, 40, True, True, 1), (5, 120, 48, True, True, 1), (5, 144, 48, True, True, 1),
            (5, 288, 96, True, True, 2), (5, 576, 96, True, True, 1), (5, 576, 96, True, True, 1)]

    def __init__(self, width_multiplier=1.0, head_width=1024, classes=10):
        super().__init__()
        ch = lambda v: make_divisible(v * width_multiplier, 8)  # noqa: E731
        self.stem = nn.Module()
        self.stem.conv = nn.Conv2d(3, ch(16), 3, bias=False)
        self.stem.bn = nn.BatchNorm2d(ch(16), eps=BN_EPSILON)
        cin = ch(16)
        for i, (k, exp, out, se, hs, stride) in enumerate(self.ROWS):
            setattr(self, f"bneck{i}", _Bneck(cin, k, ch(exp), ch(out), se, hs, stride))
            cin = ch(out)
        self.last = nn.Module()
        self.last.conv = nn.Conv2d(cin, ch(576), 1, bias=False)
        self.last.bn = nn.BatchNorm2d(ch(576), eps=BN_EPSILON)
        self.head = nn.Module()
        self.head.fc1 = nn.Linear(ch(576), head_width)
        self.head.dense = nn.Linear(head_width, classes)

    def forward(self, x):
        x = nn.functional.hardswish(self.stem.bn(same_conv(self.stem.conv, x)))
        for i in range(len(self.ROWS)):
            x = getattr(self, f"bneck{i}")(x)
        x = nn.functional.hardswish(self.last.bn(self.last.conv(x)))
        return self.head.dense(nn.functional.hardswish(self.head.fc1(x.mean(dim=(2, 3)))))


class _VitBlock(nn.Module):
    def __init__(self, dim, heads, hidden):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(dim, eps=1e-5)
        self.attn = nn.Module()
        self.attn.qkv = nn.Linear(dim, 3 * dim)
        self.attn.proj = nn.Linear(dim, dim)
        self.ln2 = nn.LayerNorm(dim, eps=1e-5)
        self.mlp = nn.Module()
        self.mlp.fc1 = nn.Linear(dim, hidden)
        self.mlp.fc2 = nn.Linear(hidden, dim)

    def forward(self, t):
        b, n, dim = t.shape
        q, k, v = self.attn.qkv(self.ln1(t)).split(dim, dim=2)
        split = lambda z: z.reshape(b, n, self.heads, dim // self.heads).transpose(1, 2)  # noqa: E731
        attn = torch.softmax(split(q) @ split(k).transpose(-1, -2) / (dim // self.heads) ** 0.5, dim=-1)
        t = t + self.attn.proj((attn @ split(v)).transpose(1, 2).reshape(b, n, dim))
        return t + self.mlp.fc2(nn.functional.gelu(self.mlp.fc1(self.ln2(t)), approximate="tanh"))


class LabVitTiny(nn.Module):
    """The lab's `vit-tiny`: patches flattened in (row, column, channel) order into patch_embed
    (a Linear), class token or mean pooling, pre-norm blocks, LayerNorm eps 1e-5, tanh GELU."""

    def __init__(self, patch=4, dim=64, depth=4, heads=4, mlp_ratio=2, pooling="cls", classes=10, image=32):
        super().__init__()
        self.patch, self.pooling, self.depth = patch, pooling, depth
        tokens = (image // patch) ** 2 + (1 if pooling == "cls" else 0)
        self.patch_embed = nn.Linear(patch * patch * 3, dim)
        if pooling == "cls":
            self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, tokens, dim))
        for i in range(depth):
            setattr(self, f"block{i}", _VitBlock(dim, heads, round(dim * mlp_ratio)))
        self.head = nn.Module()
        self.head.ln = nn.LayerNorm(dim, eps=1e-5)
        self.head.dense = nn.Linear(dim, classes)

    def forward(self, x):
        b, c, h, w = x.shape
        p = self.patch
        patches = x.permute(0, 2, 3, 1).reshape(b, h // p, p, w // p, p, c).permute(0, 1, 3, 2, 4, 5).reshape(b, (h // p) * (w // p), p * p * c)
        t = self.patch_embed(patches)
        if self.pooling == "cls":
            t = torch.cat([self.cls_token.expand(b, -1, -1), t], dim=1)
        t = t + self.pos_embed
        for i in range(self.depth):
            t = getattr(self, f"block{i}")(t)
        t = self.head.ln(t)
        return self.head.dense(t[:, 0] if self.pooling == "cls" else t.mean(dim=1))


def build(config):
    o = config.get("options", {})
    if config["arch"] == "cnn":
        return LabCnn(o.get("width", 32), o.get("hidden", 128), config["numClasses"], o.get("batchNorm", True), config["inputShape"][0])
    if config["arch"] == "resnet20":
        return LabResNet(o.get("blocksPerStage", 3), o.get("width", 16), config["numClasses"])
    if config["arch"] == "vgg11":
        return LabVgg11(o.get("widthMultiplier", 0.25), o.get("hidden", 128), config["numClasses"], config["inputShape"][0])
    if config["arch"] == "mobilenetv3s":
        return LabMobileNetV3Small(o.get("widthMultiplier", 1), o.get("headWidth", 1024), config["numClasses"])
    if config["arch"] == "vit-tiny":
        return LabVitTiny(o.get("patchSize", 4), o.get("dim", 64), o.get("depth", 4), o.get("heads", 4), o.get("mlpRatio", 2), o.get("pooling", "cls"),
                          config["numClasses"], config["inputShape"][0])
    raise SystemExit(f"unknown architecture {config['arch']}")


def main():
    model_path, input_path, count, out_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    state, meta = read_safetensors(model_path)
    config = json.loads(meta["config"])
    h, w, _ = config["inputShape"]
    model = build(config)
    model.load_state_dict(state, strict=True)
    model.eval()
    x = np.fromfile(input_path, dtype="<f4").reshape(count, h, w, 3)
    inputs = torch.from_numpy(x).permute(0, 3, 1, 2).contiguous()
    if os.environ.get("LAB_MODELS_FLOAT64"):  # a float64 reference, to tell rounding from a real difference
        model, inputs = model.double(), inputs.double()
    with torch.no_grad():
        logits = model(inputs)
    logits.numpy().astype("<f4").tofile(out_path)


if __name__ == "__main__":
    main()
