#!/usr/bin/env python3
"""Reference outputs of glassnet's seeded generator (splitmix32 seeding,
then xoshiro128**), written independently of the TypeScript code so the
test can tell a changed stream from an intended one. Standard library only."""
import json
import os

MASK = 0xFFFFFFFF


def splitmix32(seed):
    x = seed & MASK
    while True:
        x = (x + 0x9E3779B9) & MASK
        z = x
        z = ((z ^ (z >> 16)) * 0x85EBCA6B) & MASK
        z = ((z ^ (z >> 13)) * 0xC2B2AE35) & MASK
        yield (z ^ (z >> 16)) & MASK


def rotl(x, k):
    return ((x << k) | (x >> (32 - k))) & MASK


def xoshiro128ss(seed):
    init = splitmix32(seed)
    s = [next(init) for _ in range(4)]
    while True:
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 9) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 11)
        yield result


def floats(seed, n):
    # 53-bit doubles from two draws: 27 high bits, then 26 low bits.
    gen = xoshiro128ss(seed)
    out = []
    for _ in range(n):
        high = next(gen) >> 5
        low = next(gen) >> 6
        out.append((high * 67108864 + low) / 9007199254740992)
    return out


def main():
    data = {
        "generator": "scripts/make-random-fixture.py",
        "uint32": {str(seed): [v for v, _ in zip(xoshiro128ss(seed), range(8))] for seed in (0, 1, 42, 2**32 - 1)},
        "float": {str(seed): floats(seed, 8) for seed in (0, 42)},
    }
    path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "random.json")
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


if __name__ == "__main__":
    main()
