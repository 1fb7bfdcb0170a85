"""The fixture texts: a SplitMix64-driven mix of the snippets, digit runs, whitespace runs and Unicode ranges in
Tests/TokenizerTests/Fixtures/pool.json. TokenizerFixtureTests rebuilds the same texts in Swift from the same pool
and seed, so the fixtures hold only each text's token count and a hash of its ids.

Kinds of text (by the first draw): 0 a cut through the UTF-8 bytes at arbitrary offsets, decoded with U+FFFD for
the broken sequences (invalid UTF-8 boundaries); 1 one long run of a single kind (digits, whitespace or a range);
otherwise 1-12 parts.
"""
import json
import os

MASK = (1 << 64) - 1
POOL = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "TokenizerTests", "Fixtures", "pool.json")


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, n):
        return self.next() % n


def load_pool():
    with open(POOL, encoding="utf-8") as f:
        return json.load(f)


def scalar(rng, pool):
    lo, hi = pool["ranges"][rng.below(len(pool["ranges"]))]
    value = lo + rng.below(hi - lo + 1)
    if 0xD800 <= value <= 0xDFFF:
        value = 0xFFFD
    return chr(value)


def part(rng, pool, long):
    kind = rng.below(8)
    if kind < 4:
        return pool["snippets"][rng.below(len(pool["snippets"]))]
    count = 1 + rng.below(200 if long else 24)
    out = []
    for _ in range(count):
        if kind == 4:
            out.append(pool["digits"][rng.below(len(pool["digits"]))] if rng.below(4) == 0 else str(rng.below(10)))
        elif kind == 5:
            out.append(pool["whitespace"][rng.below(len(pool["whitespace"]))])
        elif kind == 6:
            out.append(scalar(rng, pool))
        else:
            out.append(pool["separators"][rng.below(len(pool["separators"]))])
    return "".join(out)


def texts(count, seed=16):
    pool = load_pool()
    rng = SplitMix64(seed)
    result = []
    for _ in range(count):
        kind = rng.below(10)
        if kind == 1:
            text = part(rng, pool, True)
        else:
            parts = 1 + rng.below(12)
            text = "".join(part(rng, pool, False) for _ in range(parts))
        if kind == 0:
            data = text.encode("utf-8")
            start = rng.below(len(data) + 1)
            end = start + rng.below(len(data) - start + 1)
            text = data[start:end].decode("utf-8", "replace")
        result.append(text)
    return result
