"""Macro-F1 of a model bundle on the labelled dev sets in ../shared/data.

Needs ../shared/data beside the checkout (or ITWORK_SHARED_DATA). O*NET task
statements: O*NET 29.3 Database, U.S. Department of Labor/Employment and
Training Administration, CC BY 4.0.

Run: python benchmarks/dev_sets.py [MODEL_DIR ...]   (default: the shipped model)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from classifier import load_model  # noqa: E402
from training.dev_sets import load_dev_sets, load_tickets  # noqa: E402
from training.evaluate import classification_metrics  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", help="model bundle directories (default: the shipped model)")
    args = parser.parse_args(argv)
    dev = load_dev_sets()
    tickets = load_tickets()["text"].tolist()
    print(
        "| model | O*NET dev macro-F1 | O*NET dev acc | tickets dev macro-F1 | tickets dev acc "
        "| all tickets: business_enabling share |"
    )
    print("|---|---|---|---|---|---|")
    for path in args.models or [None]:
        model = load_model(path)
        scores = {
            name: classification_metrics(frame["label"].tolist(), model.predict(frame["text"].tolist()))
            for name, frame in dev.items()
        }
        predicted = model.predict(tickets)
        be_share = sum(label == "business_enabling" for label in predicted) / len(predicted)
        print(
            f"| {path or 'default'} | {scores['onet_dev']['macro_f1']:.3f} | {scores['onet_dev']['accuracy']:.3f} | "
            f"{scores['tickets_dev']['macro_f1']:.3f} | {scores['tickets_dev']['accuracy']:.3f} | {be_share:.1%} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
