"""Accuracy and calibration of model bundles on every labelled set in ../shared/data.

Needs ../shared/data beside the checkout (or ITWORK_SHARED_DATA). O*NET task
statements: O*NET 29.3 Database, U.S. Department of Labor/Employment and
Training Administration, CC BY 4.0.

Prints one Markdown table: per model and labelled set, macro-F1, accuracy,
expected calibration error, the share of predictions the model's own review
thresholds accept and their precision, the coverage reachable at precision 0.9
with per-label thresholds tuned on that set (an upper bound), and the share of
all 47,837 tickets called business_enabling.

With --priors, each set is scored a second time with probabilities adjusted
to label priors estimated by EM from ALL unlabelled texts of its source (the
692 O*NET tasks, the 47,837 tickets), as `itwork score --priors auto` does;
no dev label is used for that. And a third time with the label mix of the
set's kind of text in the training corpus (`--priors task_statement` for
O*NET, `--priors ticket` for tickets), if the model has register mixes.

Run: python benchmarks/accuracy.py [--priors] [MODEL_DIR ...]   (default: the shipped model)
To compare with an uncalibrated model:
    itwork train default -o /tmp/uncalibrated --calibration none
    python benchmarks/accuracy.py /tmp/uncalibrated models/default
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd  # noqa: E402

from classifier import load_model  # noqa: E402
from training.dev_sets import DEV_SET_REGISTERS, load_dev_sets, load_tickets, shared_data_dir  # noqa: E402
from training.evaluate import evaluate_model  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", help="model bundle directories (default: the shipped model)")
    parser.add_argument("--priors", action="store_true", help="also score with label priors estimated per source")
    args = parser.parse_args(argv)
    dev = load_dev_sets()
    tickets = load_tickets()["text"].tolist()
    sources = {
        "onet_dev": pd.read_csv(shared_data_dir() / "onet_it_tasks.tsv", sep="\t")["text"].tolist(),
        "tickets_dev": tickets,
    }
    print(
        "| model | calibration | priors | set | n | macro-F1 | accuracy | ECE | accepted by thresholds "
        "| precision accepted | coverage at 0.9 precision (tuned on set) | all tickets: business_enabling |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for path in args.models or [None]:
        model = load_model(path)
        predicted = model.predict(tickets)
        be_share = sum(label == "business_enabling" for label in predicted) / len(predicted)
        for name, frame in dev.items():
            register = DEV_SET_REGISTERS[name]
            register = register if register in (getattr(model, "register_priors_", None) or {}) else None
            extra = ("auto",) + ((register,) if register else ()) if args.priors else ()
            for adapt in (None, *extra):
                model.set_label_priors(model.estimate_label_priors(sources[name]) if adapt == "auto" else adapt)
                share = be_share
                if adapt and name == "tickets_dev":
                    share = sum(label == "business_enabling" for label in model.predict(tickets)) / len(tickets)
                m = evaluate_model(model, frame["text"].tolist(), frame["label"].tolist())
                r = m["review"]
                shown = (
                    ("register " + adapt + ": " if adapt != "auto" else "")
                    + ", ".join(f"{label[:4]} {value:.2f}" for label, value in zip(model.classes_, model.label_priors_))
                    if adapt
                    else "training"
                )
                print(
                    f"| {path or 'default'} | {model.calibration_method_} | {shown} | {name} | {m['n']} "
                    f"| {m['macro_f1']:.3f} | {m['accuracy']:.3f} | {m['ece']:.3f} | {r['kept']:.1%} "
                    f"| {r['precision_kept']:.3f} | {r['coverage_at_0.9']:.1%} | {share:.1%} |"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
