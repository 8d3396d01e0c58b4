"""A PyTorch probe of WaterMAS replica objectives on the lab's cnn (exploration: ~5x faster than the
lab's wasm trainer on this machine; the evidence is the lab's own paired studies, sharpness.md).

    THREADS=1 /usr/bin/python3 scripts/pytorch/objective_probe.py --out R.json --seed S --steps N \
        [--mode none|flip|relative|gaussian] [--R 2] [--sigma S] [--lam L] [--margin M|inf] [--lam-warmup STEPS] \
        [--antithetic] [--split] [--bn tracked|clean|batch] [--base MODEL.safetensors (lab layout)]

Starts from the lab's demo base (runs/demo/base/model.safetensors: cnn, 81.8 %), draws 256 key
positions in proportion to tensor size over the kernels, writes the marks as the lab's codec does
(sign = bit, magnitude max(|w|, Q_0.5(|w|))), fine-tunes with the marks frozen (SGD momentum 0.9,
cosine lr, crop + flip augmentation, the same data order for every objective of a seed), and measures
test accuracy (10,000 images), the flip cost (accuracy lost on 2,000 test images when half of the
marks flip; 4 draws), the key rise at relative radius 0.5 and that of 4 matched control subsets
(nearest magnitude rank in the same tensor; 4 draws, 1,000 test images; BatchNorm with running stats).

Replica normalisation (--bn): 'tracked' = the clean pass's batch statistics, differentiated through,
each replica compared with the clean loss on its own rows (what objective.ts does since 2026-12-06);
'clean' = the same statistics as constants and the whole batch's clean loss as baseline (the lab's
'clean' before the fix); 'batch' = the replica's own batch statistics, baseline the whole batch's loss.
"""
import argparse, json, math, os, struct, sys, time
import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(int(os.environ.get("THREADS", "1")))
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DATA = os.environ.get("CIFAR10_DIR", os.path.join(ROOT, "public", "datasets", "cifar10"))
EPS = 1e-3
MEAN = np.array([0.4914, 0.4822, 0.4465], np.float32)
STD = np.array([0.247, 0.2435, 0.2616], np.float32)


def load_bin(name):
    raw = np.fromfile(os.path.join(DATA, name), np.uint8).reshape(-1, 3073)
    return raw[:, 1:].reshape(-1, 3, 32, 32), raw[:, 0].astype(np.int64)


def norm(x_u8):
    x = x_u8.astype(np.float32) / 255.0
    return torch.from_numpy((x - MEAN[None, :, None, None]) / STD[None, :, None, None])


def read_st(path):
    d = open(path, "rb").read()
    (n,) = struct.unpack("<Q", d[:8])
    h = json.loads(d[8 : 8 + n])
    out = {}
    for k, v in h.items():
        if k == "__metadata__":
            continue
        a, b = v["data_offsets"]
        out[k] = torch.from_numpy(np.frombuffer(d[8 + n + a : 8 + n + b], np.float32).reshape(v["shape"]).copy())
    return out


def load_base(path):
    s = read_st(path)
    p, bn = {}, {}
    for i in range(1, 5):
        p[f"conv{i}"] = s[f"conv{i}/kernel"].permute(3, 2, 0, 1).contiguous()
        p[f"g{i}"] = s[f"bn{i}/gamma"].clone()
        p[f"b{i}"] = s[f"bn{i}/beta"].clone()
        bn[i] = [s[f"bn{i}/moving_mean"].clone(), s[f"bn{i}/moving_variance"].clone()]
    p["fc1"] = s["fc1/kernel"].clone()  # [in (NHWC flatten), out]
    p["fc1b"] = s["fc1/bias"].clone()
    p["head"] = s["head/dense/kernel"].clone()
    p["headb"] = s["head/dense/bias"].clone()
    return p, bn


KERNELS = ["conv1", "conv2", "conv3", "conv4", "fc1", "head"]


def forward(p, bn, x, mode, sink=None, stats=None, over=None):
    """mode: 'train' (batch stats; sink collects them), 'clean' (given stats), 'eval' (running)."""
    q = dict(p)
    if over:
        q.update(over)
    for i in range(1, 5):
        x = F.conv2d(x, q[f"conv{i}"], padding=1)
        if mode == "train":
            m = x.mean((0, 2, 3))
            v = x.var((0, 2, 3), unbiased=False)
            if sink is not None:
                sink[i] = (m, v)
        elif mode == "clean":
            m, v = stats[i]
        else:
            m, v = bn[i]
        x = (x - m[None, :, None, None]) / torch.sqrt(v[None, :, None, None] + EPS) * q[f"g{i}"][None, :, None, None] + q[f"b{i}"][None, :, None, None]
        x = F.relu(x)
        if i in (2, 4):
            x = F.max_pool2d(x, 2)
    x = x.permute(0, 2, 3, 1).flatten(1)
    x = F.relu(x @ q["fc1"] + q["fc1b"])
    return x @ q["head"] + q["headb"]


def draw_key(p, n, rng, allocation="proportional", only=None):
    names = only or KERNELS
    sizes = np.array([p[k].numel() for k in names], np.float64)
    if allocation == "proportional":
        flat = rng.choice(int(sizes.sum()), n, replace=False)
        bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        key = {}
        for j, k in enumerate(names):
            sel = flat[(flat >= bounds[j]) & (flat < bounds[j + 1])] - bounds[j]
            if len(sel):
                key[k] = np.sort(sel)
        return key
    raise SystemExit("allocation")


def write_marks(p, key, rng, q=0.5):
    bits = {}
    for k, idx in key.items():
        w = p[k].view(-1)
        floor = torch.quantile(w.abs(), q).item()
        b = rng.integers(0, 2, len(idx))
        a = torch.clamp(w[idx].abs(), min=floor)
        w[idx] = torch.where(torch.from_numpy(b).bool(), a, -a)
        bits[k] = b
    return bits


def matched_controls(p, key, rng, count):
    """Per tensor: for each mark, the unmarked weight nearest in magnitude rank (distinct per subset)."""
    subsets = [dict() for _ in range(count)]
    for k, idx in key.items():
        w = p[k].view(-1).abs().numpy()
        order = np.argsort(w)
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        used = set(idx.tolist())
        for c in range(count):
            chosen = []
            for i in idx:
                r = rank[i]
                for d in range(1, len(order)):
                    found = None
                    for rr in ((r + d, r - d) if rng.random() < 0.5 else (r - d, r + d)):
                        if 0 <= rr < len(order) and order[rr] not in used:
                            found = order[rr]
                            break
                    if found is not None:
                        chosen.append(found)
                        used.add(found)
                        break
            subsets[c][k] = np.array(sorted(chosen))
    return subsets


@torch.no_grad()
def accuracy(p, bn, X, Y, over=None, bs=1000):
    ok = 0
    for i in range(0, len(X), bs):
        ok += (forward(p, bn, X[i : i + bs], "eval", over=over).argmax(1) == Y[i : i + bs]).sum().item()
    return ok / len(X)


@torch.no_grad()
def loss_eval(p, bn, X, Y, over=None):
    return F.cross_entropy(forward(p, bn, X, "eval", over=over), Y).item()


@torch.no_grad()
def rise(p, bn, X, Y, subset, g, draws=4, alpha=0.5):
    base = loss_eval(p, bn, X, Y)
    vals = []
    for _ in range(draws):
        plus, minus = {}, {}
        for k, idx in subset.items():
            w = p[k].view(-1)
            z = torch.from_numpy(g.standard_normal(len(idx)).astype(np.float32))
            d = alpha * w[idx].abs() * z
            a = w.clone(); a[idx] += d; plus[k] = a.view_as(p[k])
            b = w.clone(); b[idx] -= d; minus[k] = b.view_as(p[k])
        vals.append((loss_eval(p, bn, X, Y, plus) + loss_eval(p, bn, X, Y, minus)) / 2 - base)
    return float(np.mean(vals)), float(np.std(vals))


@torch.no_grad()
def flip_cost(p, bn, X, Y, key, g, frac=0.5, draws=4):
    acc0 = accuracy(p, bn, X, Y)
    accs = []
    for _ in range(draws):
        over = {}
        for k, idx in key.items():
            w = p[k].view(-1).clone()
            sel = idx[g.random(len(idx)) < frac]
            w[sel] = -w[sel]
            over[k] = w.view_as(p[k])
        accs.append(accuracy(p, bn, X, Y, over))
    return acc0, acc0 - float(np.mean(accs))


def replica_eps(p, key, mode, sigma, g):
    eps = {}
    for k, idx in key.items():
        w = p[k].view(-1)
        e = torch.zeros_like(w)
        if mode == "flip":
            sel = idx[g.random(len(idx)) < sigma]
            e[sel] = -2 * w[sel]
        elif mode == "relative":
            e[idx] = sigma * w[idx].abs() * torch.from_numpy(g.standard_normal(len(idx)).astype(np.float32))
        elif mode == "gaussian":
            e[idx] = sigma * torch.from_numpy(g.standard_normal(len(idx)).astype(np.float32))
        eps[k] = e.view_as(p[k])
    return eps


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--steps", type=int, default=390)
    ap.add_argument("--lr", type=float, default=0.01)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--mode", default="none")
    ap.add_argument("--R", type=int, default=2)
    ap.add_argument("--sigma", type=float, default=0.5)
    ap.add_argument("--lam", type=float, default=1.0)
    ap.add_argument("--margin", type=float, default=2.0)
    ap.add_argument("--antithetic", action="store_true")
    ap.add_argument("--bn", default="clean")
    ap.add_argument("--split", action="store_true")
    ap.add_argument("--bits", type=int, default=256)
    ap.add_argument("--only", default="")
    ap.add_argument("--lam-warmup", type=int, default=0)
    ap.add_argument("--base", default=f"{ROOT}/runs/demo/base/model.safetensors")
    ap.add_argument("--train-limit", type=int, default=50000)
    a = ap.parse_args()
    t0 = time.time()
    xs, ys = zip(*[load_bin(f"data_batch_{i}.bin") for i in range(1, 6)])
    Xtr, Ytr = np.concatenate(xs)[: a.train_limit], np.concatenate(ys)[: a.train_limit]
    Xte_u8, Yte = load_bin("test_batch.bin")
    Xte, Yte = norm(Xte_u8), torch.from_numpy(Yte)
    p, bn = load_base(a.base)
    krng = np.random.default_rng(1000 + a.seed)
    key = draw_key(p, a.bits, krng, only=a.only.split(",") if a.only else None)
    write_marks(p, key, krng)
    marks = {k: p[k].view(-1)[idx].clone() for k, idx in key.items()}
    masks = {}
    for k, idx in key.items():
        m = torch.ones(p[k].numel()); m[idx] = 0; masks[k] = m.view_as(p[k])
    for v in p.values():
        v.requires_grad_(True)
    vel = {k: torch.zeros_like(v) for k, v in p.items()}
    drng = np.random.default_rng(a.seed)  # data order + augmentation (same for twin)
    nrng = np.random.default_rng(5000 + a.seed)  # replica noise
    log = []
    n = len(Xtr)
    perm = drng.permutation(n)
    pos = 0
    for step in range(a.steps):
        if pos + a.batch > n:
            perm, pos = drng.permutation(n), 0
        idx = perm[pos : pos + a.batch]; pos += a.batch
        xb = Xtr[idx]
        # augmentation: zero-pad 4 crop + flip
        padded = np.zeros((len(idx), 3, 40, 40), np.uint8)
        padded[:, :, 4:36, 4:36] = xb
        dx = drng.integers(0, 9, len(idx)); dy = drng.integers(0, 9, len(idx)); fl = drng.random(len(idx)) < 0.5
        out = np.empty_like(xb)
        for j in range(len(idx)):
            im = padded[j, :, dy[j] : dy[j] + 32, dx[j] : dx[j] + 32]
            out[j] = im[:, :, ::-1] if fl[j] else im
        x, y = norm(out), torch.from_numpy(Ytr[idx])
        lr = a.lr * 0.5 * (1 + math.cos(math.pi * step / a.steps))
        sink = {}
        Lvec = F.cross_entropy(forward(p, bn, x, "train", sink=sink), y, reduction="none")
        L = Lvec.mean()
        detached = {i: (m.detach(), v.detach()) for i, (m, v) in sink.items()}
        total = L
        gaps = []
        lam = a.lam * (min(1.0, step / a.lam_warmup) if a.lam_warmup else 1.0)
        if a.mode != "none" and lam > 0:
            R = a.R
            prev = None
            for r in range(R):
                if a.antithetic and r % 2 == 1 and prev is not None:
                    eps = {k: -e for k, e in prev.items()}
                else:
                    eps = replica_eps(p, key, a.mode, a.sigma, nrng)
                prev = eps
                over = {k: p[k] + e for k, e in eps.items()}
                if a.split:
                    per = a.batch // (R // 2 if a.antithetic else R)
                    s0 = (r // 2 if a.antithetic else r) * per
                    xr, yr = x[s0 : s0 + per], y[s0 : s0 + per]
                else:
                    xr, yr = x, y
                if a.bn == "tracked":  # the clean pass's statistics, differentiated; baseline = the clean loss on the same rows
                    Lr = F.cross_entropy(forward(p, bn, xr, "clean", stats=sink, over=over), yr)
                    gap = Lr - (Lvec[s0 : s0 + per].mean() if a.split else L)
                else:
                    Lr = F.cross_entropy(forward(p, bn, xr, "clean" if a.bn == "clean" else "train", stats=detached, over=over), yr)
                    gap = Lr - L
                gaps.append(gap.item())
                if math.isinf(a.margin) or gap.item() < a.margin:
                    total = total + (lam / R) * (a.margin - gap if not math.isinf(a.margin) else -gap)
        for v in p.values():
            v.grad = None
        total.backward()
        with torch.no_grad():
            for k, v in p.items():
                g = v.grad
                if k in masks:
                    g = g * masks[k]
                vel[k].mul_(0.9).add_(g)
                v.sub_(lr * vel[k])
            for i in range(1, 5):  # running stats, momentum 0.99 (lab default)
                m, var = detached[i]
                bn[i][0].mul_(0.99).add_(0.01 * m)
                bn[i][1].mul_(0.99).add_(0.01 * var)
        if step % 50 == 0 or step == a.steps - 1:
            rec = dict(step=step, loss=L.item(), gap=float(np.mean(gaps)) if gaps else None, t=round(time.time() - t0, 1))
            log.append(rec)
            print(json.dumps(rec), flush=True)
    with torch.no_grad():
        for k, idx in key.items():
            assert torch.equal(p[k].view(-1)[idx], marks[k]), "marks moved"
        for v in p.values():
            v.requires_grad_(False)
    g = np.random.default_rng(77)
    acc = accuracy(p, bn, Xte, Yte)
    fc = flip_cost(p, bn, Xte[:2000], Yte[:2000], key, g)[1]
    cr = matched_controls(p, key, np.random.default_rng(99), 4)
    Xm, Ym = Xte[:1000], Yte[:1000]
    kr = rise(p, bn, Xm, Ym, key, np.random.default_rng(11))
    crs = [rise(p, bn, Xm, Ym, c, np.random.default_rng(12 + i)) for i, c in enumerate(cr)]
    ctrl_fc = float(np.mean([flip_cost(p, bn, Xte[:2000], Yte[:2000], c, np.random.default_rng(21 + i), draws=2)[1] for i, c in enumerate(cr[:2])]))
    res = dict(vars(a), acc=acc, flip_cost=fc, key_rise=kr, control_rise=[c[0] for c in crs], control_flip_cost=ctrl_fc,
               layers={k: len(v) for k, v in key.items()}, seconds=round(time.time() - t0, 1), log=log)
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    json.dump(res, open(a.out, "w"), indent=1)
    print(json.dumps({k: res[k] for k in ("acc", "flip_cost", "key_rise", "control_rise", "control_flip_cost", "layers", "seconds")}))


if __name__ == "__main__":
    main()
