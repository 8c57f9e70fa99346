"""PyTorch runner for `npm run bench`, on one thread or two (--threads).

Same contract as the JS runners (bench/lib/protocol.ts): flags --workload,
--seconds, --reps, --epochs, --data, and one JSON line on stdout. The check
constants restate bench/lib/workloads.ts; the digits, B2's shared starting
weights and the float64 references come from the files bench/lib/digits.ts
and bench/lib/shared-start.ts prepare, so every library trains the same
network on identical data. The orchestrator puts Debian's OpenBLAS first on
the library path; this runner records which BLAS was loaded and its core.
Run with Debian's /usr/bin/python3, which has torch.
"""
import argparse
import ctypes
import json
import os
import resource
import sys
import time
import traceback

import numpy as np
import torch
from torch import nn

PIXELS = 784
CLASSES = 10
TRAIN_COUNT = 8192

# B1, as in bench/lib/workloads.ts (SEED).
SEED_W1 = [[0.15, 0.20], [0.25, 0.30]]
SEED_B1 = [0.35, 0.35]
SEED_W2 = [[0.40, 0.45], [0.50, 0.55]]
SEED_B2 = [0.60, 0.60]
SEED_X = [0.02, 0.04]
SEED_T = [0.5, 0.9]
SEED_LR = 0.5
SEED_CHECK_STEPS = 100
SEED_START_LOSS = 3.958156e-2
SEED_LOSS_AFTER = {'float64': 3.627711e-4, 'float32': 3.62772e-4}
SEED_TOLERANCE = {'float64': 1e-6, 'float32': 1e-5}

# B2, as in bench/lib/workloads.ts (MLP).
MLP_SIZES = [784, 128, 64, 10]
MLP_BATCH = 64
MLP_LR = 0.1
MLP_BATCH1_LR = 0.01
MLP_SEED = 7
MLP_MIN_ACCURACY = 0.8
MLP_MAX_BATCH1_LOSS_RATIO = 0.75
MLP_BATCH1_CHECK_SAMPLES = 200
BATCH1_WARMUP = 256

# B2's shared start and its check, as in bench/lib/shared-start.ts and workloads.ts.
INIT_FILE = 'mlp-init.f32'
REFERENCE_FILE = 'mlp-reference.json'
REFERENCE_TOLERANCE = 1e-4

GEMM_SAMPLES = 64
GEMM_TOLERANCE = 1e-3


def summarize(samples, unit):
    return {'median': float(np.median(samples)), 'min': min(samples), 'max': max(samples), 'unit': unit, 'samples': samples}


def measure_rate(run, seconds, reps, units_per_call, unit):
    """Same chunked timing as measureRate in bench/lib/timing.ts."""
    samples = []
    chunk = 1
    for _ in range(reps):
        calls = 0
        start = time.perf_counter()
        elapsed = 0.0
        while elapsed < seconds:
            before = time.perf_counter()
            run(chunk)
            calls += chunk
            now = time.perf_counter()
            elapsed = now - start
            if now - before < seconds / 50:
                chunk *= 2
        samples.append(calls * units_per_call / elapsed)
    return summarize(samples, unit)


def seed_trainer(dtype):
    def layer(w, b):
        linear = nn.Linear(2, 2).to(dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(w, dtype=dtype))
            linear.bias.copy_(torch.tensor(b, dtype=dtype))
        return linear

    model = nn.Sequential(layer(SEED_W1, SEED_B1), nn.Sigmoid(), layer(SEED_W2, SEED_B2), nn.Sigmoid())
    optimizer = torch.optim.SGD(model.parameters(), lr=SEED_LR)
    x = torch.tensor([SEED_X], dtype=dtype)
    t = torch.tensor([SEED_T], dtype=dtype)

    def loss():
        return 0.5 * ((t - model(x)) ** 2).sum()

    def step():
        value = loss()
        optimizer.zero_grad(set_to_none=True)
        value.backward()
        optimizer.step()

    return step, lambda: loss().item()


def b1(args, dtype):
    """B1 in one dtype; the network timed is the one checked, stepped on from where the check left it."""
    name = 'float64' if dtype == torch.float64 else 'float32'
    expected_after = SEED_LOSS_AFTER[name]
    tolerance = SEED_TOLERANCE[name]
    step, loss = seed_trainer(dtype)
    start = loss()
    for _ in range(SEED_CHECK_STEPS):
        step()
    after = loss()
    ok = abs(start - SEED_START_LOSS) <= tolerance * SEED_START_LOSS and abs(after - expected_after) <= tolerance * expected_after
    detail = (f'{name}: loss {start:.6e} at start (expected {SEED_START_LOSS:.6e}), '
              f'{after:.6e} after {SEED_CHECK_STEPS} steps (expected {expected_after:.6e})')

    def run(count):
        for _ in range(count):
            step()

    measure_rate(run, args.seconds, 1, 1, 'steps/s')
    return measure_rate(run, args.seconds, args.reps, 1, 'steps/s'), {'ok': ok, 'detail': detail}, {'dtype': name}


def load_digits(data_dir):
    images = np.fromfile(f'{data_dir}/digits-images.f32', dtype='<f4').reshape(-1, PIXELS)
    labels = np.fromfile(f'{data_dir}/digits-labels.u8', dtype=np.uint8).astype(np.int64)
    return torch.from_numpy(images), torch.from_numpy(labels)


def digits_model(data_dir):
    """B2's network from the start every library shares: each layer's weight [units][inputs], then its bias."""
    values = np.fromfile(f'{data_dir}/{INIT_FILE}', dtype='<f4')
    offset = 0
    layers = []
    for i, (inputs, units) in enumerate(zip(MLP_SIZES, MLP_SIZES[1:])):
        linear = nn.Linear(inputs, units)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(values[offset:offset + units * inputs].reshape(units, inputs)))
            offset += units * inputs
            linear.bias.copy_(torch.from_numpy(values[offset:offset + units]))
            offset += units
        layers.append(linear)
        if i < len(MLP_SIZES) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def references(data_dir):
    with open(f'{data_dir}/{REFERENCE_FILE}') as file:
        return json.load(file)


def check_reference(found, expected, where):
    relative = abs(found - expected) / abs(expected)
    return {'ok': relative <= REFERENCE_TOLERANCE,
            'detail': f'{where}: held-out loss {found:.8g}, float64 reference {expected:.8g} (relative {relative:.1e}, limit {REFERENCE_TOLERANCE})'}


def both(a, b):
    return {'ok': a['ok'] and b['ok'], 'detail': f"{a['detail']}; {b['detail']}"}


def evaluate(model, images, labels, count):
    with torch.no_grad():
        logits = model(images[TRAIN_COUNT:TRAIN_COUNT + count])
        target = labels[TRAIN_COUNT:TRAIN_COUNT + count]
        loss = nn.functional.cross_entropy(logits, target).item()
        accuracy = (logits.argmax(1) == target).double().mean().item()
    return loss, accuracy


def batch_trainer(model, images, labels, size, lr):
    """Batches sliced once before timing; SGD steps over them in order."""
    batches = [(images[i:i + size], labels[i:i + size]) for i in range(0, TRAIN_COUNT, size)]
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    state = {'next': 0, 'samples': 0}

    def run(count):
        for _ in range(count):
            x, y = batches[state['next']]
            loss = loss_fn(model(x), y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            state['samples'] += size
            state['next'] = (state['next'] + 1) % len(batches)

    return run, state, len(batches)


def mlp(args):
    images, labels = load_digits(args.data)
    model = digits_model(args.data)
    run, state, batches = batch_trainer(model, images, labels, MLP_BATCH, MLP_LR)
    held_out = len(labels) - TRAIN_COUNT
    run(batches)
    start = check_reference(evaluate(model, images, labels, held_out)[0], references(args.data)['mlpAfterWarmup'], 'after the warm-up epoch')
    measurement = measure_rate(run, args.seconds, args.reps, MLP_BATCH, 'samples/s')
    _, accuracy = evaluate(model, images, labels, held_out)
    check = {'ok': accuracy > MLP_MIN_ACCURACY,
             'detail': f'held-out accuracy {accuracy:.3f} on {held_out} digits after {state["samples"]} samples (need > {MLP_MIN_ACCURACY})'}
    return measurement, both(start, check), {'dtype': 'float32'}


def mlp1(args):
    images, labels = load_digits(args.data)
    model = digits_model(args.data)
    expected = references(args.data)
    loss_before, accuracy_before = evaluate(model, images, labels, MLP_BATCH1_CHECK_SAMPLES)
    run, state, _ = batch_trainer(model, images, labels, 1, MLP_BATCH1_LR)
    run(BATCH1_WARMUP)
    start = both(check_reference(loss_before, expected['mlp1Start'], 'before training'),
                 check_reference(evaluate(model, images, labels, MLP_BATCH1_CHECK_SAMPLES)[0], expected['mlp1AfterWarmup'],
                                 f'after {BATCH1_WARMUP} warm-up steps'))
    measurement = measure_rate(run, args.seconds, args.reps, 1, 'samples/s')
    loss_after, accuracy_after = evaluate(model, images, labels, MLP_BATCH1_CHECK_SAMPLES)
    check = {'ok': loss_after <= MLP_MAX_BATCH1_LOSS_RATIO * loss_before,
             'detail': f'held-out loss {loss_before:.4f} -> {loss_after:.4f} (need <= {MLP_MAX_BATCH1_LOSS_RATIO}x), '
                       f'accuracy {accuracy_before:.3f} -> {accuracy_after:.3f}, after {state["samples"]} samples'}
    return measurement, both(start, check), {'dtype': 'float32'}


def gemm(args, n):
    rng = np.random.default_rng(n)
    a = torch.from_numpy(rng.uniform(-1, 1, (n, n)).astype(np.float32))
    b = torch.from_numpy(rng.uniform(-1, 1, (n, n)).astype(np.float32))
    c = torch.empty(n, n)

    def run(count):
        for _ in range(count):
            torch.mm(a, b, out=c)

    run(1)
    measurement = measure_rate(run, args.seconds, args.reps, 2 * n ** 3 / 1e9, 'GFLOP/s')
    a64, b64, c64 = a.double().numpy(), b.double().numpy(), c.double().numpy()
    worst = 0.0
    for _ in range(GEMM_SAMPLES):
        i, j = rng.integers(n), rng.integers(n)
        reference = float(a64[i] @ b64[:, j])
        worst = max(worst, float(abs(c64[i, j] - reference)) / max(abs(reference), 1.0))
    check = {'ok': worst < GEMM_TOLERANCE, 'detail': f'worst relative error {worst:.2e} over {GEMM_SAMPLES} entries (limit {GEMM_TOLERANCE})'}
    return measurement, check, {'dtype': 'float32', 'call': 'torch.mm(out=)'}


def loaded_blas():
    """The BLAS torch loaded at run time, whether it is OpenBLAS, and OpenBLAS's core type and build configuration."""
    with open('/proc/self/maps') as maps:
        paths = sorted({os.path.realpath(line.split()[-1]) for line in maps if 'blas' in line.rsplit('/', 1)[-1]})
    facts = {'blas': ', '.join(paths) or 'none found', 'optimizedBlas': 'no'}
    for path in paths:
        try:
            library = ctypes.CDLL(path)
            library.openblas_get_corename.restype = ctypes.c_char_p
            library.openblas_get_config.restype = ctypes.c_char_p
        except (OSError, AttributeError):
            continue
        facts.update({'optimizedBlas': 'yes', 'blasCore': library.openblas_get_corename().decode(),
                      'blasConfig': library.openblas_get_config().decode().strip()})
    return facts


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--workload', required=True)
    parser.add_argument('--seconds', type=float, required=True)
    parser.add_argument('--reps', type=int, required=True)
    parser.add_argument('--epochs', type=int, required=True)
    parser.add_argument('--data', required=True)
    parser.add_argument('--backend')
    parser.add_argument('--mode', choices=('full', 'quick'))  # only glassnet's accuracy tasks depend on it
    parser.add_argument('--threads', type=int, choices=(1, 2), default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    library = 'pytorch' if args.threads == 1 else f'pytorch {args.threads} threads'
    workloads = {'b1': lambda a: b1(a, torch.float32), 'b1f64': lambda a: b1(a, torch.float64), 'mlp': mlp, 'mlp1': mlp1}
    try:
        if args.workload.startswith('gemm'):
            measurement, check, config = gemm(args, int(args.workload[4:]))
        elif args.workload in workloads:
            measurement, check, config = workloads[args.workload](args)
        else:
            raise ValueError(f'pytorch has no workload {args.workload}')
        config.update({'threads': str(torch.get_num_threads()), 'OpenMP wait policy': os.environ.get('OMP_WAIT_POLICY', 'default'),
                       'torch': torch.__version__, 'gradients cleared': 'zero_grad(set_to_none=True)', **loaded_blas()})
        result = {'library': library, 'workload': args.workload, **measurement, 'check': check,
                  'rssPeakMB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 'config': config}
        print(json.dumps(result))
    except Exception:  # reported to the orchestrator as data, like the JS runners
        print(json.dumps({'library': library, 'workload': args.workload, 'error': traceback.format_exc()}))
        sys.exit(1)


if __name__ == '__main__':
    main()
