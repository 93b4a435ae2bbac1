"""A fingerprint of training: hashes of the rounded probabilities of a model retrained on a fixed subset of the corpus.

Retraining the shipped models must give the same numbers on every machine
that installs the versions in ``pyproject.toml``. The full retrain takes
minutes; this one fits the n-gram model on every ``EVERY``-th corpus row
(with its calibration, cascade-free), scores the next rows, and encodes a
few texts with the sentence encoder, then hashes each result rounded to
``DECIMALS`` places. ``tests/test_pipeline.py`` compares it with the committed
``tests/data/training_fingerprint.json``; after a deliberate change to the
model or the pinned versions, rewrite that file::

    python -m training.fingerprint tests/data/training_fingerprint.json

>>> probability_hash(np.array([[0.25, 0.75]])) == probability_hash(np.array([[0.2500000001, 0.75]]))
True
>>> probability_hash(np.array([[0.25, 0.75]])) == probability_hash(np.array([[0.26, 0.74]]))
False
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

import numpy as np

__all__ = ["probability_hash", "training_fingerprint", "EVERY", "DECIMALS", "ENCODED"]

#: The subset: corpus rows 0, EVERY, 2 * EVERY ... train; rows 1, EVERY + 1 ... are scored.
EVERY = 3
#: Probabilities are rounded to this many places before hashing (solver noise is far below it).
DECIMALS = 4
#: How many corpus texts the encoder embeds for its part of the fingerprint.
ENCODED = 64


def probability_hash(values: np.ndarray, decimals: int = DECIMALS) -> str:
    """SHA-256 of ``values`` rounded to ``decimals`` places, written as text (so ``-0.0`` and ``0.0`` agree)."""
    rounded = np.round(np.asarray(values, dtype=float), decimals) + 0.0
    text = "\n".join(" ".join(f"{value:.{decimals}f}" for value in row) for row in np.atleast_2d(rounded))
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def training_fingerprint(encoder: bool = True) -> dict:
    """Hashes of the n-gram model retrained on the corpus subset (and of the encoder's embeddings if ``encoder``).

    ``out_of_fold`` hashes the probabilities that calibration and the review
    thresholds are fitted on, ``scored`` those of the held-out rows,
    ``labels`` the labels predicted for them, ``embeddings`` the encoder's
    output for the first :data:`ENCODED` subset texts.
    """
    from classifier.model import ITWorkClassifier
    from training.data import load_default_corpus
    from training.environment import environment

    corpus = load_default_corpus()
    train, scored = corpus.iloc[::EVERY], corpus.iloc[1::EVERY]
    model = ITWorkClassifier(encoder=None).fit(
        train["text"].tolist(), train["label"].tolist(), registers=train["register"].tolist()
    )
    probabilities = model.predict_proba(scored["text"].tolist())
    hashes = {
        "out_of_fold": probability_hash(model.oof_probabilities_),
        "scored": probability_hash(probabilities),
        "labels": hashlib.sha256("\n".join(model.predict(scored["text"].tolist())).encode()).hexdigest(),
    }
    if encoder:
        from classifier.encoder import SentenceEncoder

        embeddings = SentenceEncoder().fit().transform(train["text"].tolist()[:ENCODED])
        hashes["embeddings"] = probability_hash(embeddings)
    return {
        "subset": {"every": EVERY, "training_rows": len(train), "scored_rows": len(scored), "decimals": DECIMALS},
        "hashes": hashes,
        "environment": environment(),
    }


def main(argv: list[str] | None = None) -> int:
    """Write the fingerprint of this environment to the path given (``-`` for stdout)."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m training.fingerprint PATH|-", file=sys.stderr)
        return 2
    text = json.dumps(training_fingerprint(), indent=2) + "\n"
    if argv[0] == "-":
        sys.stdout.write(text)
    else:
        target = Path(argv[0])
        partial = target.with_name(f".{target.name}.partial")
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, target)  # a failed run leaves the earlier fingerprint whole
    return 0


if __name__ == "__main__":
    sys.exit(main())
