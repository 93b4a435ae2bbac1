"""Time and peak memory of normalizing large texts of ids and codes several times, as cross-validation does.

Invented texts (seeded random "words" of letters, digits and ``-._/``), no data
is read. Each pass normalizes all texts with a new ``TextNormalizer``; passes
after the first are served by the shared chunk cache as far as it holds them.
Issue 17: 50 training texts of about 1.2 MB each ran 34+ minutes and reached
5.5 GB (the cache emptied and refilled on every pass; spaCy's vocabulary grew
by every distinct string).

Run: /usr/bin/time -f "wall %e s, peak RSS %M KB" python benchmarks/normalizer_memory.py [TEXTS] [PASSES]
(default 10 texts of 1.2 MB, 2 passes). Results: benchmarks/RESULTS.md.
"""

from __future__ import annotations

import random
import resource
import sys
import time

from classifier.normalize import TextNormalizer

ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789-._/"


def invented_text(rng: random.Random, size: int = 1_200_000) -> str:
    words, length = [], 0
    while length < size:
        word = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(3, 14)))
        words.append(word)
        length += len(word) + 1
    return " ".join(words)


def main(n_texts: int = 10, passes: int = 2) -> None:
    rng = random.Random(0)
    texts = [invented_text(rng) for _ in range(n_texts)]
    start = time.perf_counter()
    for number in range(1, passes + 1):
        began = time.perf_counter()
        TextNormalizer().normalize_many(texts)
        print(f"pass {number}: {time.perf_counter() - began:.1f} s", flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{n_texts} texts, {passes} passes: {time.perf_counter() - start:.1f} s, peak {peak:.0f} MiB")


if __name__ == "__main__":
    main(*map(int, sys.argv[1:3]))
