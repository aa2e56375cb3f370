#!/usr/bin/env python3
"""Independent splitmix64 + xoshiro256** (from the reference C code) to pin Hindsight's RNG stream."""
import json, os
M = (1 << 64) - 1
def splitmix(state):
    state = (state + 0x9E3779B97F4A7C15) & M
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return state, z ^ (z >> 31)
def rotl(x, k): return ((x << k) | (x >> (64 - k))) & M
def stream(seed, n):
    st = seed
    s = []
    for _ in range(4):
        st, v = splitmix(st); s.append(v)
    out = []
    for _ in range(n):
        out.append(rotl((s[1] * 5) & M, 7) * 9 & M)
        t = (s[1] << 17) & M
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 45)
    return out
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out = {str(seed): [str(v) for v in stream(seed, 8)] for seed in (0, 1, 42, 2**63 + 5)}
with open(os.path.join(root, "Tests/HindsightCoreTests/Fixtures/xoshiro256starstar.json"), "w") as f:
    json.dump(out, f, indent=1)
print("ok")
