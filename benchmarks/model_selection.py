"""Compare model configurations by cross-validation on the corpus and by the dev sets.

Needs ../shared/data (the dev sets). Run: python benchmarks/model_selection.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from training.data import load_default_corpus  # noqa: E402
from training.dev_sets import load_dev_sets  # noqa: E402
from training.evaluate import classification_metrics  # noqa: E402
from training.pipeline import TrainConfig, cross_validate  # noqa: E402

CANDIDATES = {
    "word 1-2, C=10 (default)": {},
    "word 1-2, min_df=2, C=10": {"min_df": 2},
    "word 1-2, C=3": {"C": 3.0},
    "word 1-2, C=30": {"C": 30.0},
    "word 1-1, C=10": {"ngram_range": (1, 1)},
    "word 1-3, C=10": {"ngram_range": (1, 3)},
    "word 1-2 + char 3-5, C=10": {"char_ngram_range": (3, 5)},
    "word 1-2, keep stop words": {"remove_stop_words": False},
    "word 1-2, no lemmas": {"lemmatize": False},
}


def main() -> None:
    corpus = load_default_corpus()
    dev = load_dev_sets()
    print("| configuration | CV macro-F1 | O*NET dev macro-F1 | tickets dev macro-F1 | tickets dev acc | fit s |")
    print("|---|---|---|---|---|---|")
    for name, params in CANDIDATES.items():
        config = TrainConfig(model=params)
        cv = cross_validate(corpus, config)
        start = time.perf_counter()
        model = config.estimator().fit(corpus["text"].tolist(), corpus["label"].tolist())
        fit_seconds = time.perf_counter() - start
        scores = {
            key: classification_metrics(frame["label"].tolist(), model.predict(frame["text"].tolist()))
            for key, frame in dev.items()
        }
        print(
            f"| {name} | {cv['macro_f1']:.3f} | {scores['onet_dev']['macro_f1']:.3f} | "
            f"{scores['tickets_dev']['macro_f1']:.3f} | {scores['tickets_dev']['accuracy']:.3f} | {fit_seconds:.1f} |"
        )


if __name__ == "__main__":
    main()
