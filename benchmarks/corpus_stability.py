"""Dev-set scores of models trained on subsamples of one or more corpora: is a corpus change real or noise?

The dev sets are small (281 O*NET task statements, 120 tickets), so one model's
macro-F1 moves by about 0.015 when a few training rows change. This trains one
model per seed on a random share of each corpus (default five fits on 90%) and
prints, per corpus, the mean, minimum and maximum of:

* O*NET dev macro-F1, plain and with the ``task_statement`` register mix;
* tickets dev macro-F1 and accuracy, plain and with the ``ticket`` register mix;
* the number of dev tickets called business_enabling (plain).

Needs ../shared/data beside the checkout (or ITWORK_SHARED_DATA); the dev sets
are only scored, never trained on. O*NET task statements: O*NET 29.3 Database,
U.S. Department of Labor/Employment and Training Administration, CC BY 4.0.

Run: python benchmarks/corpus_stability.py [CORPUS.csv ...] [--seeds 5] [--share 0.9] [--no-adaptation]
     (default: the shipped corpus)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from sklearn.metrics import accuracy_score, f1_score  # noqa: E402

from classifier import ITWorkClassifier  # noqa: E402
from training.data import default_corpus_path, load_labelled_data  # noqa: E402
from training.dev_sets import DEV_SET_REGISTERS, load_dev_sets  # noqa: E402


def scores_of_one_fit(
    corpus, dev: dict, seed: int, share: float, calibration: str, adapted: tuple[str, ...] = ("ticket",)
) -> dict[str, float]:
    sample = corpus.sample(frac=share, random_state=seed) if share < 1 else corpus
    model = ITWorkClassifier(calibration=calibration, random_state=seed, adapted_registers=adapted).fit(
        sample["text"].tolist(),
        sample["label"].tolist(),
        registers=sample["register"].tolist() if "register" in sample else None,
    )
    scores: dict[str, float] = {}
    for name, frame in dev.items():
        texts, truth = frame["text"].tolist(), frame["label"].tolist()
        for priors in (None, DEV_SET_REGISTERS[name]):
            if priors is not None and priors not in model.register_priors_:
                continue
            predicted = model.set_label_priors(priors).predict(texts)
            suffix = "" if priors is None else f" / {priors}"
            scores[f"{name} macro-F1{suffix}"] = f1_score(truth, predicted, average="macro")
            if name == "tickets_dev":
                scores[f"{name} accuracy{suffix}"] = accuracy_score(truth, predicted)
                if priors is None:
                    scores[f"{name} called BE"] = sum(label == "business_enabling" for label in predicted)
    return scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpora", nargs="*", help="labelled CSV files (default: the shipped corpus)")
    parser.add_argument("--seeds", type=int, default=5, help="fits per corpus, seeds 1..N (default 5)")
    parser.add_argument("--share", type=float, default=0.9, help="share of each corpus per fit (default 0.9)")
    parser.add_argument(
        "--calibration", default="temperature", help="calibration of every fit (default temperature, as shipped)"
    )
    parser.add_argument(
        "--no-adaptation", action="store_true", help="fit without register adaptation (adapted_registers=())"
    )
    args = parser.parse_args(argv)
    adapted = () if args.no_adaptation else ("ticket",)
    dev = load_dev_sets()
    print(f"{args.seeds} fits per corpus on {args.share:.0%} of it; mean (min-max)\n")
    rows = []
    for path in args.corpora or [default_corpus_path()]:
        corpus = load_labelled_data(path)
        seeds = range(1, args.seeds + 1)
        fits = [scores_of_one_fit(corpus, dev, seed, args.share, args.calibration, adapted) for seed in seeds]
        rows.append((f"{path} ({len(corpus)})", fits))
    metrics = list(rows[0][1][0])
    print("| corpus (rows) | " + " | ".join(metrics) + " |")
    print("|---|" + "---|" * len(metrics))
    for name, fits in rows:
        cells = []
        for metric in metrics:
            values = np.array([fit.get(metric, np.nan) for fit in fits], dtype=float)
            cells.append(f"{np.nanmean(values):.3f} ({np.nanmin(values):.3f}-{np.nanmax(values):.3f})")
        print(f"| {name} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
