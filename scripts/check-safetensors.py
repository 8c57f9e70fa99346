#!/usr/bin/env python3
"""An independent reader for the safetensors files glassnet writes.

It shares no code with glassnet: the published layout is read with struct and
json only, so when both agree on a file the agreement means something.

  python3 scripts/check-safetensors.py FILE...
      Checks each file and prints one line per tensor, tab-separated:
      name, dtype, shape, and the exactly rounded sum (math.fsum) of its
      values as a float64 repr. Exits 1 with a message on the first problem.

  python3 scripts/check-safetensors.py --make-fixture DIR
      Writes DIR/tiny-f32.safetensors and DIR/tiny-f64.safetensors (built
      here with struct.pack) and DIR/tiny.expected.json, what a correct
      reader must find in them, so the JS tests check glassnet's reader
      against this side too.

Rules checked (those glassnet's writer follows): an 8-byte little-endian
header length N with 8 + N within the file and N a multiple of 8; a UTF-8
JSON header starting with '{', padded with spaces only, without duplicate
keys; an optional "__metadata__" map of strings; entries with exactly
dtype (F32 or F64), shape (non-negative integers) and data_offsets; offsets
relative to the data section, contiguous from 0, non-overlapping, covering
it to the last byte, each spanning product(shape) * itemsize bytes; every
value finite.
"""
import json
import math
import os
import struct
import sys

ITEM = {"F32": ("f", 4), "F64": ("d", 8)}
MAX_HEADER = 100_000_000


class Invalid(Exception):
    pass


def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise Invalid(f"duplicate key in header: {keys}")
    return dict(pairs)


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def read(blob):
    """(metadata, [(name, dtype, shape, values)]) in data order, or Invalid."""
    if len(blob) < 8:
        raise Invalid(f"{len(blob)} bytes: too short for the header length")
    (n,) = struct.unpack("<Q", blob[:8])
    if n > MAX_HEADER or 8 + n > len(blob):
        raise Invalid(f"header length {n} does not fit in {len(blob)} bytes")
    if n % 8 != 0:
        raise Invalid(f"header length {n} is not a multiple of 8")
    text = blob[8 : 8 + n].decode("utf-8")
    if not text.startswith("{") or not text.rstrip(" ").endswith("}"):
        raise Invalid("header is not a JSON object padded with spaces")
    header = json.loads(text, object_pairs_hook=no_duplicates)
    metadata = header.pop("__metadata__", {})
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise Invalid("__metadata__ is not a map of strings")
    data = blob[8 + n :]
    entries = []
    for name, entry in header.items():
        if not isinstance(entry, dict) or set(entry) != {"dtype", "shape", "data_offsets"}:
            raise Invalid(f"{name}: entry must have exactly dtype, shape, data_offsets")
        dtype, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
        if dtype not in ITEM:
            raise Invalid(f"{name}: dtype {dtype!r} is not F32 or F64")
        if not isinstance(shape, list) or not all(is_int(d) and d >= 0 for d in shape):
            raise Invalid(f"{name}: bad shape {shape!r}")
        if not isinstance(offsets, list) or len(offsets) != 2 or not all(is_int(o) for o in offsets):
            raise Invalid(f"{name}: bad data_offsets {offsets!r}")
        code, size = ITEM[dtype]
        count = math.prod(shape)
        if offsets[1] - offsets[0] != count * size:
            raise Invalid(f"{name}: {offsets[1] - offsets[0]} bytes for {count} {dtype} values")
        entries.append((offsets[0], offsets[1], name, dtype, shape, code, count))
    entries.sort()
    position = 0
    tensors = []
    for begin, end, name, dtype, shape, code, count in entries:
        if begin != position:
            raise Invalid(f"{name}: starts at {begin}, expected {position} (gap or overlap)")
        values = struct.unpack_from(f"<{count}{code}", data, begin)
        if not all(math.isfinite(v) for v in values):
            raise Invalid(f"{name}: non-finite value")
        tensors.append((name, dtype, shape, values))
        position = end
    if position != len(data):
        raise Invalid(f"tensors cover {position} bytes, the data section has {len(data)}")
    return metadata, tensors


def check(path):
    with open(path, "rb") as f:
        _, tensors = read(f.read())
    for name, dtype, shape, values in tensors:
        print(f"{name}\t{dtype}\t{json.dumps(shape)}\t{math.fsum(values)!r}")


# ---------------------------------------------------------------- fixture
# A 3-2-1 network, deliberately written unlike glassnet's writer: header keys
# sorted (so "__metadata__" comes first and each bias before its weight) and
# the data in that sorted order. One file per dtype.
FIXTURE = {
    "layer1.weight": [[0.1, -0.25, 1 / 3], [2.5, -0.0, 1e-300]],
    "layer1.bias": [0.5, -1.5],
    "layer2.weight": [[0.75, -2 / 3]],
    "layer2.bias": [0.125],
}
INPUT = [0.2, -0.4, 0.9]


def sigmoid(z):
    return 1 / (1 + math.exp(-z))


def fixture_prediction():
    """Forward pass of the F64 network (sigmoid hidden layer, linear output) in float64."""
    w1, b1, w2, b2 = (FIXTURE[k] for k in ("layer1.weight", "layer1.bias", "layer2.weight", "layer2.bias"))
    hidden = [sigmoid(sum(w * x for w, x in zip(row, INPUT)) + b) for row, b in zip(w1, b1)]
    return [sum(w * h for w, h in zip(row, hidden)) + b for row, b in zip(w2, b2)]


def flat(value):
    return [x for row in value for x in row] if isinstance(value[0], list) else list(value)


def build(dtype):
    """(file bytes, {name: {dtype, shape, values as stored}}) for FIXTURE in `dtype`."""
    code, _ = ITEM[dtype]
    header, chunks, stored, offset = {"__metadata__": {"generator": "scripts/check-safetensors.py"}}, [], {}, 0
    for name in sorted(FIXTURE):
        values = flat(FIXTURE[name])
        shape = [len(FIXTURE[name]), len(FIXTURE[name][0])] if isinstance(FIXTURE[name][0], list) else [len(values)]
        chunk = struct.pack(f"<{len(values)}{code}", *values)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(chunk)]}
        # What the bytes hold: for F32 each value rounded to float32, as a float64.
        stored[name] = {"dtype": dtype, "shape": shape, "values": list(struct.unpack(f"<{len(values)}{code}", chunk))}
        chunks.append(chunk)
        offset += len(chunk)
    text = json.dumps(header, sort_keys=True).encode("utf-8")
    text += b" " * (-len(text) % 8)
    blob = struct.pack("<Q", len(text)) + text + b"".join(chunks)
    read(blob)  # the fixture must pass this script's own checks
    return blob, stored


def make_fixture(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    expected = {
        "generator": "scripts/check-safetensors.py --make-fixture",
        "metadata": {"generator": "scripts/check-safetensors.py"},
        "network": {"sizes": [3, 2, 1], "activations": ["sigmoid", "linear"]},
        "input": INPUT,
        "output_f64": fixture_prediction(),
        "files": {},
    }
    for dtype in ITEM:
        name = f"tiny-{dtype.lower()}.safetensors"
        blob, stored = build(dtype)
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(blob)
        expected["files"][name] = stored
    with open(os.path.join(out_dir, "tiny.expected.json"), "w") as f:
        f.write(json.dumps(expected, indent=1, allow_nan=False) + "\n")
    print(f"wrote {', '.join(expected['files'])} and tiny.expected.json in {out_dir}")


def main(argv):
    if len(argv) == 2 and argv[0] == "--make-fixture":
        make_fixture(argv[1])
        return 0
    if not argv or argv[0].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    for path in argv:
        try:
            check(path)
        except (Invalid, ValueError, struct.error) as e:  # json and UTF-8 errors are ValueErrors
            print(f"{path}: invalid safetensors: {e}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
