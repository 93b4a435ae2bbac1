"""Share of texts a model keeps in scope: hand-written non-IT and terse IT texts, O*NET tasks, tickets.

The two hand-written files ship with the project (``training/data``); the
O*NET task statements and the service-desk tickets come from ../shared/data
(or ITWORK_SHARED_DATA) and are skipped when it is missing. O*NET task
statements: O*NET 29.3 Database, U.S. Department of Labor/Employment and
Training Administration, CC BY 4.0.

Run: python benchmarks/scope_rates.py [MODEL_DIR ...]   (default: the shipped model)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd  # noqa: E402

from classifier import load_model  # noqa: E402
from training.dev_sets import load_tickets, shared_data_dir  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "training" / "data"


def text_sets() -> dict[str, list[str]]:
    sets = {
        "out_of_scope.csv (no IT work; want out)": pd.read_csv(DATA / "out_of_scope.csv")["text"].tolist(),
        "in_scope_hard.csv (terse IT; want in)": pd.read_csv(DATA / "in_scope_hard.csv")["text"].tolist(),
    }
    shared = shared_data_dir()
    if (shared / "onet_it_tasks.tsv").is_file():
        onet = pd.read_csv(shared / "onet_it_tasks.tsv", sep="\t")
        sets["O*NET IT task statements (want in)"] = onet["text"].tolist()
        sets["service-desk tickets (want in)"] = load_tickets(shared)["text"].tolist()
    else:
        print(f"{shared} not found: O*NET and tickets skipped", file=sys.stderr)
    return sets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", help="model bundle directories (default: the shipped model)")
    args = parser.parse_args(argv)
    sets = text_sets()
    print("| model | texts | n | in scope |\n|---|---|---|---|")
    for path in args.models or [None]:
        model = load_model(path)
        for name, texts in sets.items():
            in_scope = model.decide(texts).in_scope
            print(f"| {path or 'default'} | {name} | {len(texts)} | {in_scope.mean():.1%} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
