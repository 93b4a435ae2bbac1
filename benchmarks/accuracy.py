"""Accuracy and calibration of model bundles on every labelled set in ../shared/data.

Needs ../shared/data beside the checkout (or ITWORK_SHARED_DATA). O*NET task
statements: O*NET 29.3 Database, U.S. Department of Labor/Employment and
Training Administration, CC BY 4.0.

Prints one Markdown table: per model and labelled set, macro-F1, accuracy,
expected calibration error, the share of predictions the model's own review
thresholds accept and their precision, the coverage reachable at precision 0.9
with per-label thresholds tuned on that set (an upper bound), and the share of
all 47,837 tickets called business_enabling.

Run: python benchmarks/accuracy.py [MODEL_DIR ...]   (default: the shipped model)
To compare with an uncalibrated model:
    itwork train default -o /tmp/uncalibrated --calibration none
    python benchmarks/accuracy.py /tmp/uncalibrated models/default
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from classifier import load_model  # noqa: E402
from training.dev_sets import load_dev_sets, load_tickets  # noqa: E402
from training.evaluate import evaluate_model  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", help="model bundle directories (default: the shipped model)")
    args = parser.parse_args(argv)
    dev = load_dev_sets()
    tickets = load_tickets()["text"].tolist()
    print(
        "| model | calibration | set | n | macro-F1 | accuracy | ECE | accepted by thresholds | precision accepted "
        "| coverage at 0.9 precision (tuned on set) | all tickets: business_enabling |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for path in args.models or [None]:
        model = load_model(path)
        predicted = model.predict(tickets)
        be_share = sum(label == "business_enabling" for label in predicted) / len(predicted)
        for name, frame in dev.items():
            m = evaluate_model(model, frame["text"].tolist(), frame["label"].tolist())
            r = m["review"]
            print(
                f"| {path or 'default'} | {model.calibration_method_} | {name} | {m['n']} | {m['macro_f1']:.3f} "
                f"| {m['accuracy']:.3f} | {m['ece']:.3f} | {r['kept']:.1%} | {r['precision_kept']:.3f} "
                f"| {r['coverage_at_0.9']:.1%} | {be_share:.1%} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
