#!/usr/bin/python3
"""Write test/fixtures/optim.json: float64 reference trajectories for glassnet's optimizers.

PyTorch's own optimizers, learning-rate schedulers and clip_grad_norm_ are the
oracle. Each optimizer case trains a small fixed problem for a few steps and
records, per step, the gradient torch used and the parameters after the step;
the TypeScript test feeds the same gradients in and compares the parameters.
Run with Debian's interpreter, which is the one python3-torch is installed for:
    /usr/bin/python3 scripts/make-optim-fixtures.py
"""

import torch

import fixture_io

torch.set_default_dtype(torch.float64)
# One thread keeps every reduction in one order, so reruns are byte-identical.
torch.set_num_threads(1)

HEADER = {"generator": "scripts/make-optim-fixtures.py", "torch": torch.__version__}
STEPS = 6


def write_json(name, payload):
    fixture_io.write_json(name, HEADER, payload)


# ---------------------------------------------------------------- optimizers
# glassnet option name -> torch keyword; betas stays a pair.
TORCH_KWARGS = {
    "lr": "lr", "momentum": "momentum", "dampening": "dampening", "weightDecay": "weight_decay",
    "nesterov": "nesterov", "betas": "betas", "eps": "eps", "amsgrad": "amsgrad", "alpha": "alpha",
    "centered": "centered", "lrDecay": "lr_decay", "initialAccumulatorValue": "initial_accumulator_value",
}
TORCH_CLASS = {
    "sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
    "rmsprop": torch.optim.RMSprop, "adagrad": torch.optim.Adagrad,
}
# torch state key -> glassnet buffer name.
BUFFER_NAMES = {
    "momentum_buffer": "momentumBuffer", "exp_avg": "expAvg", "exp_avg_sq": "expAvgSq",
    "max_exp_avg_sq": "maxExpAvgSq", "square_avg": "squareAvg", "grad_avg": "gradAvg", "sum": "sum",
}

# (name, optimizer, glassnet options, steps at which the vector parameter gets no gradient)
CASES = [
    ("sgd plain", "sgd", {"lr": 0.1}, []),
    ("sgd weight decay", "sgd", {"lr": 0.1, "weightDecay": 0.05}, []),
    ("sgd momentum", "sgd", {"lr": 0.05, "momentum": 0.9}, []),
    ("sgd momentum dampening weight decay", "sgd", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3, "weightDecay": 0.01}, []),
    ("sgd nesterov weight decay", "sgd", {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weightDecay": 0.02}, []),
    ("sgd momentum skipped gradient", "sgd", {"lr": 0.05, "momentum": 0.7}, [0, 3]),
    ("adam defaults", "adam", {}, []),
    ("adam large lr", "adam", {"lr": 0.05}, []),
    ("adam betas large eps", "adam", {"lr": 0.05, "betas": [0.8, 0.95], "eps": 1e-2}, []),
    ("adam weight decay", "adam", {"lr": 0.05, "weightDecay": 0.1, "eps": 1e-4}, []),
    ("adam amsgrad", "adam", {"lr": 0.05, "amsgrad": True, "eps": 1e-3}, []),
    ("adam skipped gradient", "adam", {"lr": 0.05, "eps": 1e-3}, [2]),
    ("adamw defaults", "adamw", {"lr": 0.05}, []),
    ("adamw strong decay amsgrad", "adamw", {"lr": 0.05, "weightDecay": 0.3, "amsgrad": True, "eps": 1e-3, "betas": [0.85, 0.9]}, []),
    ("rmsprop defaults", "rmsprop", {}, []),
    ("rmsprop alpha eps weight decay", "rmsprop", {"lr": 0.02, "alpha": 0.9, "eps": 1e-3, "weightDecay": 0.05}, []),
    ("rmsprop momentum", "rmsprop", {"lr": 0.01, "momentum": 0.7}, []),
    ("rmsprop centered", "rmsprop", {"lr": 0.01, "centered": True, "eps": 1e-4}, []),
    ("rmsprop centered momentum weight decay", "rmsprop", {"lr": 0.01, "centered": True, "momentum": 0.5, "weightDecay": 0.01, "eps": 1e-4}, []),
    ("adagrad defaults", "adagrad", {"lr": 0.1}, []),
    ("adagrad lr decay weight decay accumulator", "adagrad", {"lr": 0.1, "lrDecay": 0.1, "weightDecay": 0.05, "initialAccumulatorValue": 0.5, "eps": 1e-3}, []),
]


def problem(seed):
    """A 3x4 weight W, a 4-vector b and a nonlinear regression loss over 5 samples."""
    g = torch.Generator().manual_seed(seed)
    W = (torch.rand((3, 4), generator=g) * 2 - 1).requires_grad_(True)
    b = (torch.rand((4,), generator=g) - 0.5).requires_grad_(True)
    x = torch.rand((5, 3), generator=g) * 2 - 1
    t = torch.rand((5, 4), generator=g) * 2 - 1
    return W, b, lambda: ((torch.tanh(x @ W + b) - t) ** 2).sum()


def make_case(index, name, kind, options, skip_b):
    W, b, loss_fn = problem(7100 + index)
    kwargs = {TORCH_KWARGS[k]: (tuple(v) if k == "betas" else v) for k, v in options.items()}
    optimizer = TORCH_CLASS[kind]([W, b], foreach=False, **kwargs)
    initial = [W.detach().flatten().tolist(), b.detach().tolist()]
    steps = []
    for step in range(STEPS):
        W.grad = b.grad = None
        loss_fn().backward()
        if step in skip_b:
            b.grad = None  # a parameter without a gradient this step: torch skips it
        grads = [W.grad.flatten().tolist(), None if b.grad is None else b.grad.tolist()]
        optimizer.step()
        steps.append({"grads": grads, "params": [W.detach().flatten().tolist(), b.detach().tolist()]})
    state = []
    for p in (W, b):
        s = optimizer.state[p]
        state.append({
            "step": int(s["step"]) if "step" in s else None,
            "buffers": {BUFFER_NAMES[k]: v.flatten().tolist() for k, v in s.items() if k in BUFFER_NAMES and v is not None},
        })
    return {"name": name, "optimizer": kind, "options": options, "shapes": [[3, 4], [4]], "initial": initial, "steps": steps, "state": state}


# ---------------------------------------------------------------- schedules
SCHEDULE_STEPS = 20
BASE_LR = 0.5


def torch_lrs(make_scheduler, n):
    """The rate torch's scheduler gives each of the first n steps."""
    p = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([p], lr=BASE_LR)
    scheduler = make_scheduler(optimizer)
    lrs = []
    for _ in range(n):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()  # no gradient: a no-op that keeps torch's call-order check quiet
        scheduler.step()
    return lrs


def warmup_lrs(steps, after):
    """Warm-up t < W is LinearLR from 1/W to 1 over W-1 steps: η(t+1)/W. Then the
    schedule `after` (or the constant base rate) restarts from its own step 0."""
    S = torch.optim.lr_scheduler
    ramp = torch_lrs(lambda o: S.LinearLR(o, start_factor=1 / steps, end_factor=1.0, total_iters=steps - 1), steps)
    rest = SCHEDULE_STEPS - steps
    return ramp + (torch_lrs(after, rest) if after else [BASE_LR] * rest)


def make_schedules():
    S = torch.optim.lr_scheduler
    cases = [
        ("step 5 gamma 0.5", {"kind": "step", "options": {"stepSize": 5, "gamma": 0.5}}, lambda o: S.StepLR(o, step_size=5, gamma=0.5)),
        ("step 3 default gamma", {"kind": "step", "options": {"stepSize": 3}}, lambda o: S.StepLR(o, step_size=3)),
        ("exponential 0.9", {"kind": "exponential", "options": {"gamma": 0.9}}, lambda o: S.ExponentialLR(o, gamma=0.9)),
        ("cosine 20", {"kind": "cosine", "options": {"tMax": 20}}, lambda o: S.CosineAnnealingLR(o, T_max=20)),
        # T smaller than the run: torch's curve climbs back after T.
        ("cosine 8 eta min", {"kind": "cosine", "options": {"tMax": 8, "etaMin": 0.01}}, lambda o: S.CosineAnnealingLR(o, T_max=8, eta_min=0.01)),
    ]
    out = [{"name": name, **spec, "baseLr": BASE_LR, "lrs": torch_lrs(make, SCHEDULE_STEPS)} for name, spec, make in cases]
    out.append({"name": "warmup 4 constant", "kind": "warmup", "options": {"steps": 4}, "baseLr": BASE_LR, "lrs": warmup_lrs(4, None)})
    out.append({
        "name": "warmup 5 then cosine 15", "kind": "warmup", "options": {"steps": 5}, "then": {"kind": "cosine", "options": {"tMax": 15, "etaMin": 0.05}},
        "baseLr": BASE_LR, "lrs": warmup_lrs(5, lambda o: S.CosineAnnealingLR(o, T_max=15, eta_min=0.05)),
    })
    return out


# ---------------------------------------------------------------- clipping
def make_clipping():
    cases = []
    # (name, max norm, gradient scale, whether the vector has a gradient)
    for index, (name, max_norm, scale, has_b) in enumerate([
        ("norm above max", 1.0, 3.0, True),
        ("norm far above max", 0.25, 10.0, True),
        ("norm below max", 100.0, 1.0, True),
        ("one parameter without gradient", 0.5, 2.0, False),
    ]):
        g = torch.Generator().manual_seed(8300 + index)
        W, b = torch.zeros((3, 4), requires_grad=True), torch.zeros(4, requires_grad=True)
        W.grad = (torch.rand((3, 4), generator=g) * 2 - 1) * scale
        b.grad = (torch.rand(4, generator=g) * 2 - 1) * scale if has_b else None
        before = [W.grad.flatten().tolist(), None if b.grad is None else b.grad.tolist()]
        norm = torch.nn.utils.clip_grad_norm_([W, b], max_norm).item()
        after = [W.grad.flatten().tolist(), None if b.grad is None else b.grad.tolist()]
        cases.append({"name": name, "maxNorm": max_norm, "grads": before, "norm": norm, "clipped": after})
    return cases


if __name__ == "__main__":
    assert len({c[0] for c in CASES}) == len(CASES), "case names must be unique"
    write_json("optim.json", {
        "optimizers": [make_case(i, *c) for i, c in enumerate(CASES)],
        "schedules": make_schedules(),
        "clipping": make_clipping(),
    })
