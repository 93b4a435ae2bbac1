"""Job mixes of ten O*NET IT occupations, from their task statements, with ``analyze_job``.

Needs ``../shared/data`` beside the checkout (or ``$ITWORK_SHARED_DATA``):
the O*NET task statements are evaluation data and are not part of the project.
For each occupation its task statements are joined as a bulleted list under a
"Responsibilities:" heading, as a job ad would list them, and analysed with a
model bundle (default: the shipped one). Where the O*NET dev split holds our
annotators' labels for an occupation's tasks, their mix is shown beside it.

    python benchmarks/onet_jobs.py [MODEL_DIR] > onet_jobs.md

Task statements: O*NET 29.3 Database, U.S. Department of Labor/Employment and
Training Administration, CC BY 4.0.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from classifier import analyze_job, load_model  # noqa: E402
from classifier.labels import LABEL_IDS  # noqa: E402
from training.dev_sets import shared_data_dir  # noqa: E402

OCCUPATIONS = (
    "11-3021.00",  # Computer and Information Systems Managers
    "15-1211.00",  # Computer Systems Analysts
    "15-1232.00",  # Computer User Support Specialists
    "15-1242.00",  # Database Administrators
    "15-1244.00",  # Network and Computer Systems Administrators
    "15-1252.00",  # Software Developers
    "15-1254.00",  # Web Developers
    "15-1299.09",  # Information Technology Project Managers
    "15-2051.01",  # Business Intelligence Analysts
    "49-2011.00",  # Computer, Automated Teller, and Office Machine Repairers
)
SHORT = {"ktlo": "ktlo", "commodity_outsourceable": "commodity", "business_enabling": "enabling"}


def job_text(tasks: pd.Series) -> str:
    """A job ad's duty list: the task statements as bullets under a heading."""
    return "Responsibilities:\n" + "\n".join(f"- {task}" for task in tasks)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", help="model bundle directory (default: the shipped model)")
    args = parser.parse_args(argv)
    directory = shared_data_dir()
    tasks_path = directory / "onet_it_tasks.tsv"
    if not tasks_path.is_file():
        print(f"O*NET tasks not found at {tasks_path}; put ../shared beside the checkout", file=sys.stderr)
        return 2
    tasks = pd.read_csv(tasks_path, sep="\t")
    labels_path = directory / "onet_dev_labels.csv"
    annotated = pd.read_csv(labels_path) if labels_path.is_file() else pd.DataFrame(columns=["task_id", "label"])
    model = load_model(args.model)

    print(
        "| occupation | tasks | activities | set aside | " + " | ".join(SHORT.values()) + " | largest | annotated mix |"
    )
    print("|---|---|---|---|" + "---|" * len(LABEL_IDS) + "---|---|")
    for code in OCCUPATIONS:
        rows = tasks[tasks["onet_soc_code"] == code]
        job = analyze_job(job_text(rows["text"]), model=model)
        set_aside = sum(piece.kind != "heading" for piece in job.set_aside)
        truth = annotated.merge(rows, on="task_id")
        truth_mix = (
            " / ".join(f"{(truth['label'] == label).mean():.0%}" for label in LABEL_IDS) + f" (n={len(truth)})"
            if len(truth)
            else "-"
        )
        shares = " | ".join(f"{job.mix[label]:.0%}" for label in LABEL_IDS)
        print(
            f"| {rows['occupation'].iloc[0]} ({code}) | {len(rows)} | {len(job.activities)} | {set_aside} | "
            f"{shares} | {SHORT.get(job.label, '-')} | {truth_mix} |"
        )
    print()
    print("Annotated mix: ktlo / commodity / enabling share of the occupation's tasks in the O*NET dev split.")
    print("Task statements: O*NET 29.3 Database, U.S. Department of Labor/ETA, CC BY 4.0.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
