#!/usr/bin/python3
"""Write the float64 reference fixtures in test/fixtures/ that glassnet's tests compare against.

PyTorch autograd is the oracle: it shares no code with glassnet, so agreement
between the two is real evidence. Run with Debian's interpreter, which is the
one python3-torch is installed for:  /usr/bin/python3 scripts/make-fixtures.py
"""
import math

import torch
import torch.nn.functional as F

import fixture_io

torch.set_default_dtype(torch.float64)
# One thread: a reduction split across threads may sum in a different order,
# and the fixtures must be byte-identical on every run.
torch.set_num_threads(1)

HEADER = {"generator": "scripts/make-fixtures.py", "torch": torch.__version__}


def write_json(name, payload):
    fixture_io.write_json(name, HEADER, payload)


# ---------------------------------------------------------------- article 2-2-2
I1, I2, T1, T2, B1, B2, LR = 0.02, 0.04, 0.5, 0.9, 0.4, 0.7, 0.1
W_INIT = [0.25, 0.25, 0.15, 0.20, 0.30, 0.35, 0.40, 0.35]
NAMES = [f"w{k}" for k in range(1, 9)]


def article_forward(W1, W2):
    # Biases are one frozen scalar per layer (as in the article), so plain floats.
    x, t = torch.tensor([I1, I2]), torch.tensor([T1, T2])
    net_h = W1 @ x + B1
    out_h = torch.sigmoid(net_h)
    net_o = W2 @ out_h + B2
    out_o = torch.sigmoid(net_o)
    err = 0.5 * (t - out_o) ** 2
    return net_h, out_h, net_o, out_o, err, err.sum()


def leaves(ws):
    W1 = torch.tensor([ws[0:2], ws[2:4]], requires_grad=True)
    W2 = torch.tensor([ws[4:6], ws[6:8]], requires_grad=True)
    return W1, W2


def flat(W1, W2):
    return W1.detach().flatten().tolist() + W2.detach().flatten().tolist()


def per_neuron(net_h, out_h, net_o, out_o):
    """name -> (net tensor, out tensor, index) for the four non-input neurons."""
    return {"h1": (net_h, out_h, 0), "h2": (net_h, out_h, 1), "o1": (net_o, out_o, 0), "o2": (net_o, out_o, 1)}


def neuron_table(*layers):
    return {k: {"net": n[i].item(), "out": o[i].item()} for k, (n, o, i) in per_neuron(*layers).items()}


def error_table(err, total):
    return {"o1": err[0].item(), "o2": err[1].item(), "total": total.item()}


def make_article():
    W1, W2 = leaves(W_INIT)
    net_h, out_h, net_o, out_o, err, total = article_forward(W1, W2)
    # dOUT/dNET per neuron straight from autograd rather than the out*(1-out) formula.
    layers = (net_h, out_h, net_o, out_o)
    dout_dnet = {k: torch.autograd.grad(o[i], n, retain_graph=True)[0][i].item() for k, (n, o, i) in per_neuron(*layers).items()}
    for v in layers:
        v.retain_grad()
    total.backward()
    dE_dout = {k: o.grad[i].item() for k, (_, o, i) in per_neuron(*layers).items()}
    dE_dnet = {k: n.grad[i].item() for k, (n, _, i) in per_neuron(*layers).items()}
    grads = flat(W1.grad, W2.grad)
    updated = [w - LR * g for w, g in zip(W_INIT, grads)]
    after = article_forward(*leaves(updated))

    # Keep training until the last checkpoint is passed and both thresholds are
    # crossed. Torch handles this in seconds (both are crossed before step 10,000),
    # so the oracle itself answers and no hand-written float replica is needed.
    checkpoints, cap = [0, 1, 2, 10, 100, 1000, 10000], 2_000_000
    thresholds = {"1e-4": 1e-4, "1e-6": 1e-6}
    W1, W2 = leaves(W_INIT)
    losses, first_below = {}, dict.fromkeys(thresholds)
    for step in range(cap + 1):
        state = article_forward(W1, W2)
        e_total = state[-1]
        loss = e_total.item()
        if step in checkpoints:
            losses[str(step)] = loss
        if step == checkpoints[-1]:
            final_w, final_out = flat(W1, W2), state[3].tolist()
        for key, thr in thresholds.items():
            if first_below[key] is None and loss < thr:
                first_below[key] = step
        if step >= checkpoints[-1] and None not in first_below.values():
            break
        W1.grad = W2.grad = None
        e_total.backward()
        with torch.no_grad():
            W1 -= LR * W1.grad
            W2 -= LR * W2.grad

    return {
        "inputs": {"i1": I1, "i2": I2},
        "targets": {"o1": T1, "o2": T2},
        "biases": {"b1": B1, "b2": B2},
        "lr": LR,
        "initial": dict(zip(NAMES, W_INIT)),
        "neurons": neuron_table(*layers),
        "errors": error_table(err, total),
        "dE_dout": dE_dout,
        "dout_dnet": dout_dnet,
        "dE_dnet": dE_dnet,
        "gradients": dict(zip(NAMES, grads)),
        "updated": dict(zip(NAMES, updated)),
        "after_step": {"errors": error_table(*after[4:]), "neurons": neuron_table(*after[:4])},
        "training": {
            "losses": losses,
            "weights_after_10000": dict(zip(NAMES, final_w)),
            "outputs_after_10000": {"o1": final_out[0], "o2": final_out[1]},
            "first_step_below": first_below,
            "first_step_below_cap": cap,
        },
    }


# ---------------------------------------------------------------- random MLPs
ACT = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": F.relu,
    "leaky_relu": lambda z: F.leaky_relu(z, 0.01),
    "linear": lambda z: z,
    "softmax": lambda z: torch.softmax(z, dim=1),
}
LOSS = {
    "squared_error": lambda o, t: (0.5 * (t - o) ** 2).sum(dim=1).mean(),
    "mse": F.mse_loss,
    "bce": F.binary_cross_entropy,
    "softmax_cross_entropy": F.cross_entropy,  # o are logits; t rows are probabilities
}

# (name, sizes, activations, loss, batch, soft targets for softmax_cross_entropy)
CASES = [
    ("article-shape sigmoid squared_error", [2, 2, 2], ["sigmoid", "sigmoid"], "squared_error", 1, False),
    ("tanh hidden softmax_cross_entropy", [3, 4, 3, 2], ["tanh", "tanh", "linear"], "softmax_cross_entropy", 3, False),
    ("relu hidden sigmoid bce", [5, 8, 4], ["relu", "sigmoid"], "bce", 8, False),
    ("deep mixed linear mse", [4, 6, 6, 6, 3], ["leaky_relu", "tanh", "relu", "linear"], "mse", 8, False),
    ("one input tanh linear mse", [1, 3, 1], ["tanh", "linear"], "mse", 3, False),
    ("sigmoid hidden softmax squared_error", [10, 7, 5], ["sigmoid", "softmax"], "squared_error", 3, False),
    ("relu hidden softmax mse", [10, 7, 5], ["relu", "softmax"], "mse", 8, False),
    ("linear hidden sigmoid bce batch1", [3, 4, 3, 2], ["linear", "sigmoid", "sigmoid"], "bce", 1, False),
    ("leaky_relu soft-target cross entropy", [5, 8, 4], ["leaky_relu", "linear"], "softmax_cross_entropy", 8, True),
    ("softmax hidden tanh output", [4, 6, 6, 6, 3], ["softmax", "tanh", "sigmoid", "tanh"], "squared_error", 3, False),
    ("relu output mse", [2, 2, 2], ["relu", "relu"], "mse", 3, False),
    ("leaky_relu output squared_error", [1, 3, 1], ["sigmoid", "leaky_relu"], "squared_error", 8, False),
    ("relu leaky_relu linear squared_error batch1", [3, 4, 3, 2], ["relu", "leaky_relu", "linear"], "squared_error", 1, False),
    ("wide tanh one-hot cross entropy batch1", [10, 7, 5], ["tanh", "linear"], "softmax_cross_entropy", 1, False),
    ("tanh hidden sigmoid mse", [5, 8, 4], ["tanh", "sigmoid"], "mse", 3, False),
    ("soft-target cross entropy small", [2, 2, 2], ["sigmoid", "linear"], "softmax_cross_entropy", 3, True),
]


def uniform(g, shape, lo, hi):
    return torch.rand(shape, generator=g) * (hi - lo) + lo


def forward(Ws, bs, x, acts):
    a, pre = x, []
    for W, b, act in zip(Ws, bs, acts):
        z = a @ W.T + b
        pre.append(z)
        a = ACT[act](z)
    return a, pre


def make_case(index, name, sizes, acts, loss, batch, soft):
    # A generator per case, so adding or editing one case leaves the others unchanged.
    g = torch.Generator().manual_seed(20240 + index)
    while True:
        Ws = [uniform(g, (n_out, n_in), -1, 1) / math.sqrt(n_in) * 1.5 for n_in, n_out in zip(sizes, sizes[1:])]
        bs = [uniform(g, (n_out,), -0.5, 0.5) for n_out in sizes[1:]]
        x = uniform(g, (batch, sizes[0]), -1, 1)
        _, pre = forward(Ws, bs, x, acts)
        # Keep away from the relu kinks so finite differences in the TS tests are well defined.
        if all(z.abs().min() > 1e-3 for z, act in zip(pre, acts) if act in ("relu", "leaky_relu")):
            break
    n_out = sizes[-1]
    if loss == "bce":
        t = uniform(g, (batch, n_out), 0.05, 0.95)
    elif loss == "softmax_cross_entropy":
        if soft:
            t = uniform(g, (batch, n_out), 0.05, 1.0)
            t = t / t.sum(dim=1, keepdim=True)
        else:
            t = F.one_hot(torch.randint(n_out, (batch,), generator=g), n_out).to(torch.float64)
    elif acts[-1] in ("sigmoid", "softmax"):
        t = uniform(g, (batch, n_out), 0, 1)
    else:
        t = uniform(g, (batch, n_out), -1, 1)

    for p in Ws + bs + [x]:
        p.requires_grad_(True)
    out, _ = forward(Ws, bs, x, acts)
    value = LOSS[loss](out, t)
    value.backward()
    return {
        "name": name,
        "sizes": sizes,
        "activations": acts,
        "loss": loss,
        "weights": [W.tolist() for W in Ws],
        "biases": [b.tolist() for b in bs],
        "x": x.tolist(),
        "t": t.tolist(),
        "loss_value": value.item(),
        "outputs": out.tolist(),
        "grad_weights": [W.grad.tolist() for W in Ws],
        "grad_biases": [b.grad.tolist() for b in bs],
        "grad_x": x.grad.tolist(),
    }


if __name__ == "__main__":
    assert len({c[0] for c in CASES}) == len(CASES), "case names must be unique"
    write_json("article.json", make_article())
    write_json("mlp-grads.json", {"cases": [make_case(i, *c) for i, c in enumerate(CASES)]})
