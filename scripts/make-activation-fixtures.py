"""PyTorch (and exact decimal) references for the activation and loss records.

Writes test/fixtures/primitives.json: for every activation, its value and
gradient over inputs that include large |x|, in float64 and float32, from
torch.nn.functional; erf from torch.erf; each per-element loss's terms and
gradients (PyTorch's losses with reduction='none', the gradient of their
sum); weighted losses with PyTorch's weight semantics (mean reduction); and
softmax cross-entropy rows whose exact value is computed with Python's
decimal module at 60 significant digits (inputs are binary doubles, which
decimal holds exactly, and exp/ln are correctly rounded at that precision,
so the reference is exact to far below float64's last digit).

Run with /usr/bin/python3 (torch 1.13): /usr/bin/python3 scripts/make-activation-fixtures.py
"""
import json
import math
import os
from decimal import Decimal, getcontext

import torch
import torch.nn.functional as F

torch.manual_seed(0)
OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'primitives.json')

INPUTS = [-1000.0, -100.0, -50.0, -30.0, -20.0, -10.0, -6.0, -5.0, -3.0, -2.5, -2.0, -1.5, -1.0, -0.5, -0.1, -1e-3, -1e-8,
          0.0, 1e-8, 1e-3, 0.1, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 5.0, 6.0, 10.0, 20.0, 30.0, 50.0, 100.0, 1000.0]
INPUTS += [round(v, 6) for v in torch.empty(40, dtype=torch.float64).uniform_(-8, 8).tolist()]

# name -> (torch function of x, option value or None). softplus: threshold 50 keeps log1p(exp(x)) until
# x + e^-x rounds to x in float64 (e^-50 is far below half an ulp of 50), so torch gives the exact value.
ACTIVATIONS = {
    'sigmoid': (torch.sigmoid, None),
    'tanh': (torch.tanh, None),
    'relu': (F.relu, None),
    'leakyRelu': (lambda x: F.leaky_relu(x, 0.01), 0.01),
    'leakyRelu:0.2': (lambda x: F.leaky_relu(x, 0.2), 0.2),
    'elu': (lambda x: F.elu(x, 1.0), 1.0),
    'elu:0.5': (lambda x: F.elu(x, 0.5), 0.5),
    'gelu': (lambda x: F.gelu(x), None),
    'geluTanh': (lambda x: F.gelu(x, approximate='tanh'), None),
    'silu': (F.silu, None),
    'softplus': (lambda x: F.softplus(x, beta=1, threshold=50), None),
}


def value_and_grad(fn, values, dtype):
    x = torch.tensor(values, dtype=dtype, requires_grad=True)
    y = fn(x)
    y.sum().backward()
    return [float(v) for v in y.detach().tolist()], [float(v) for v in x.grad.tolist()]


def exact_elu(x, alpha):
    """alpha·(e^x − 1) in decimal: torch 1.13 computes exp(x) − 1, which cancels for x near 0⁻."""
    if x > 0:
        return x
    return float(Decimal(alpha) * (Decimal(x).exp() - 1))


def activations():
    getcontext().prec = 60
    out = {}
    for key, (fn, option) in ACTIVATIONS.items():
        entry = {'name': key.split(':')[0], 'alpha': option}
        for dtype, label in [(torch.float64, 'float64'), (torch.float32, 'float32')]:
            xs = torch.tensor(INPUTS, dtype=dtype).tolist()  # the inputs as this dtype holds them
            y, g = value_and_grad(fn, xs, dtype)
            entry[label] = {'x': xs, 'y': y, 'grad': g}
        if entry['name'] == 'elu':
            entry['float64']['exactY'] = [exact_elu(x, option) for x in entry['float64']['x']]
        out[key] = entry
    return out


def exact_bce_with_logits(z, t):
    """max(z,0) − z·t + ln(1 + e^−|z|) and σ(z) − t in decimal: torch 1.13 takes log, not log1p, so it loses e^−|z| once it is below an ulp of 1."""
    zd, td = Decimal(z), Decimal(t)
    term = max(zd, Decimal(0)) - zd * td + (1 + (-abs(zd)).exp()).ln()
    grad = 1 / (1 + (-zd).exp()) - td
    return float(term), float(grad)


def erf_values():
    xs = [i / 50 for i in range(-350, 351)] + [1e-300, 1e-10, -1e-10, 2.9999999, 3.0000001, 5.95, -5.95]
    return {'x': xs, 'erf': torch.erf(torch.tensor(xs, dtype=torch.float64)).tolist()}


def point_losses():
    getcontext().prec = 60
    n = 40
    o = torch.cat([torch.tensor([0.0, 1.0, 0.5, 1e-20, 1 - 1e-12], dtype=torch.float64), torch.rand(n - 5, dtype=torch.float64)])
    t = torch.cat([torch.tensor([1.0, 0.0, 0.5, 1.0, 0.0], dtype=torch.float64), torch.rand(n - 5, dtype=torch.float64)])
    z = torch.cat([torch.tensor([-800.0, 800.0, -40.0, 40.0, 0.0, 1e-9], dtype=torch.float64), torch.empty(n - 6, dtype=torch.float64).uniform_(-12, 12)])
    r = torch.empty(n, dtype=torch.float64).uniform_(-3, 3)
    rt = torch.empty(n, dtype=torch.float64).uniform_(-3, 3)
    rt[0] = r[0]  # a zero difference: L1's and Huber's gradient there
    rt[1] = r[1] + 1.0  # exactly at Huber's default delta
    cases = {
        'halfSquared': (lambda a, b: 0.5 * (a - b) ** 2, r, rt, 0),
        'squared': (lambda a, b: F.mse_loss(a, b, reduction='none'), r, rt, 0),
        'absolute': (lambda a, b: F.l1_loss(a, b, reduction='none'), r, rt, 0),
        'huber': (lambda a, b: F.huber_loss(a, b, reduction='none', delta=1.0), r, rt, 1.0),
        'huber:0.5': (lambda a, b: F.huber_loss(a, b, reduction='none', delta=0.5), r, rt, 0.5),
        'binaryCrossEntropy': (lambda a, b: F.binary_cross_entropy(a, b, reduction='none'), o, t, 0),
        'binaryCrossEntropyWithLogits': (lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction='none'), z, t, 0),
    }
    out = {}
    for key, (fn, a, b, option) in cases.items():
        entry = {'name': key.split(':')[0], 'option': option}
        for dtype, label in [(torch.float64, 'float64'), (torch.float32, 'float32')]:
            oa = a.to(dtype).clone().requires_grad_(True)
            tb = b.to(dtype)
            terms = fn(oa, tb)
            terms.sum().backward()
            entry[label] = {'o': oa.detach().tolist(), 't': tb.tolist(), 'terms': terms.detach().tolist(), 'grad': oa.grad.tolist()}
        if entry['name'] == 'binaryCrossEntropyWithLogits':
            exact = [exact_bce_with_logits(a, b) for a, b in zip(entry['float64']['o'], entry['float64']['t'])]
            entry['float64']['exactTerms'] = [e[0] for e in exact]
            entry['float64']['exactGrad'] = [e[1] for e in exact]
        out[key] = entry
    return out


def weighted_losses():
    """Class weights with PyTorch's mean reduction, on a 6×3 batch."""
    rows, cols = 6, 3
    logits = torch.empty(rows, cols, dtype=torch.float64).uniform_(-4, 4)
    labels = torch.tensor([0, 2, 1, 1, 0, 2])
    onehot = F.one_hot(labels, cols).to(torch.float64)
    weight = torch.tensor([0.2, 1.5, 3.0], dtype=torch.float64)
    soft = torch.rand(rows, cols, dtype=torch.float64)
    out = {}
    z = logits.clone().requires_grad_(True)
    ce = F.cross_entropy(z, labels, weight=weight)  # divides by the sum of the targets' weights
    ce.backward()
    out['softmaxCrossEntropy'] = {'z': logits.tolist(), 't': onehot.tolist(), 'weight': weight.tolist(), 'loss': ce.item(), 'grad': z.grad.tolist()}
    z = logits.clone().requires_grad_(True)
    bce = F.binary_cross_entropy_with_logits(z, soft, weight=weight)  # weights scale the terms; the mean is over every element
    bce.backward()
    out['binaryCrossEntropyWithLogits'] = {'z': logits.tolist(), 't': soft.tolist(), 'weight': weight.tolist(), 'loss': bce.item(), 'grad': z.grad.tolist()}
    p = torch.sigmoid(logits).clone().requires_grad_(True)
    bce = F.binary_cross_entropy(p, soft, weight=weight)
    bce.backward()
    out['binaryCrossEntropy'] = {'z': torch.sigmoid(logits).tolist(), 't': soft.tolist(), 'weight': weight.tolist(), 'loss': bce.item(), 'grad': p.grad.tolist()}
    return out


def exact_cross_entropy_rows():
    """Rows of logits where (max + log Σ) − z cancels; exact Σ_c t_c (lse − z_c) from decimal."""
    getcontext().prec = 60
    rows = [
        ([1e4, 1e4 - 1, 1e4 - 2], [1, 0, 0]),
        ([1e4, 1e4 - 1, 1e4 - 2], [0, 0, 1]),
        ([1e8, 1e8 + 1e-7, 1e8 - 3e-8], [0, 1, 0]),
        ([30.0, 0.0, -5.0], [1, 0, 0]),
        ([700.0, -700.0, 0.0], [1, 0, 0]),
        ([700.0, -700.0, 0.0], [0, 1, 0]),
        ([1e-3, 2e-3, -1e-3, 5e-4], [0, 0, 1, 0]),
        ([-1e5, -1e5 + 0.5, -1e5 + 40], [0, 0, 1]),
        ([50.0, 12.5, 49.999999], [0.25, 0.25, 0.5]),
        ([3.0, 3.0, 3.0, 3.0], [0, 1, 0, 0]),
        ([20.0, -20.0], [1, 0]),
        ([40.0, 0.0], [1, 0]),
    ]
    out = []
    for z, t in rows:
        zd = [Decimal(v) for v in z]
        m = max(zd)  # lse − z_c = (m − z_c) + ln(1 + s), s = Σ over the others of e^(z − m): within decimal's exponent range
        top = zd.index(m)
        rest = sum(((v - m).exp() for j, v in enumerate(zd) if j != top), Decimal(0))
        # ln(1 + s) by its series once 1 + s would round to 1 at 60 digits (s = e^-1400 here, say).
        log_sum = rest - rest * rest / 2 + rest ** 3 / 3 if rest < Decimal('1e-20') else (1 + rest).ln()
        exact = sum((Decimal(tc) * ((m - zc) + log_sum) for tc, zc in zip(t, zd)), Decimal(0))
        out.append({'z': z, 't': [float(v) for v in t], 'exact': float(exact)})
    return out


def main():
    data = {
        'torch': torch.__version__,
        'activations': activations(),
        'erf': erf_values(),
        'pointLosses': point_losses(),
        'weighted': weighted_losses(),
        'crossEntropyRows': exact_cross_entropy_rows(),
    }
    with open(OUT, 'w') as f:
        json.dump(data, f, separators=(',', ':'))
        f.write('\n')
    print('wrote', os.path.normpath(OUT))


if __name__ == '__main__':
    main()
