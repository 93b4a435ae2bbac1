"""The evaluation report: metrics as Markdown and one self-contained HTML file, with figures."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from classifier.reports import Report
from training.evaluate import duplicates_note

__all__ = ["evaluation_report", "write_evaluation"]


def _confusion_figure(metrics: dict):
    from matplotlib.figure import Figure

    labels = metrics["confusion_matrix"]["labels"]
    matrix = np.asarray(metrics["confusion_matrix"]["matrix"])
    figure = Figure(figsize=(5.5, 4.5))
    axes = figure.add_subplot()
    image = axes.imshow(matrix, cmap="Blues")
    short = [label.replace("_", "\n") for label in labels]
    axes.set_xticks(range(len(labels)), short, fontsize=8)
    axes.set_yticks(range(len(labels)), short, fontsize=8)
    axes.set_xlabel("predicted")
    axes.set_ylabel("true")
    for (row, column), value in np.ndenumerate(matrix):
        colour = "white" if value > matrix.max() / 2 else "black"
        axes.text(column, row, str(value), ha="center", va="center", color=colour)
    figure.colorbar(image, ax=axes, shrink=0.8)
    figure.tight_layout()
    return figure


def _reliability_figure(metrics: dict):
    from matplotlib.figure import Figure

    rows = metrics["reliability"]
    figure = Figure(figsize=(5.5, 4.5))
    axes = figure.add_subplot()
    axes.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
    centres = [(row["low"] + row["high"]) / 2 for row in rows]
    axes.bar(
        centres,
        [row["accuracy"] for row in rows],
        width=[row["high"] - row["low"] for row in rows],
        edgecolor="black",
        alpha=0.6,
        label="accuracy in bin",
    )
    axes.plot([row["confidence"] for row in rows], [row["accuracy"] for row in rows], "o-", label="mean confidence")
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1)
    axes.set_xlabel("confidence")
    axes.set_ylabel("accuracy")
    axes.set_title(f"expected calibration error {metrics['ece']:.3f}")
    axes.legend(loc="upper left", fontsize=8)
    figure.tight_layout()
    return figure


def evaluation_report(metrics: dict, title: str = "Evaluation") -> Report:
    """Build the report of :func:`training.evaluate.evaluate_model`'s metrics."""
    report = Report(f"{title}: {metrics.get('model', 'model')} on {metrics.get('data', 'data')}")
    review = metrics["review"]
    report.paragraph(
        f"{metrics['n']} labelled examples. Accuracy {metrics['accuracy']:.3f}, macro-F1 {metrics['macro_f1']:.3f}, "
        f"expected calibration error {metrics['ece']:.3f}. With the model's review thresholds "
        f"{review['kept']:.1%} of predictions are accepted automatically, at precision {review['precision_kept']:.3f}; "
        f"{review['out_of_scope']:.1%} are out of scope."
    )
    note = duplicates_note(metrics)
    if note:
        report.paragraph(note)
    report.heading("Per label")
    report.table(pd.DataFrame(metrics["per_class"]).T.rename_axis("label").reset_index())
    report.heading("Compared with baselines")
    rows = [{"model": "this model", "accuracy": metrics["accuracy"], "macro_f1": metrics["macro_f1"]}]
    names = {"majority": "majority label of this data", "keywords": "keyword rules"}
    rows += [
        {"model": names[name], "accuracy": base["accuracy"], "macro_f1": base["macro_f1"]}
        for name, base in metrics["baselines"].items()
    ]
    report.table(pd.DataFrame(rows))
    report.heading("Confusion matrix")
    report.figure(_confusion_figure(metrics), "Rows: true label; columns: predicted label.", "confusion_matrix")
    report.heading("Calibration")
    report.paragraph(
        "When the model says 80%, it should be right about 80% of the time: bars on the diagonal are perfect. "
        f"Thresholds tuned on this data to reach precision 0.9 would keep {review['coverage_at_0.9']:.1%} "
        "of predictions."
    )
    report.figure(_reliability_figure(metrics), "Reliability diagram: accuracy per confidence bin.", "reliability")
    report.table(pd.DataFrame(metrics["reliability"]))
    report.heading("Most confident mistakes")
    report.table(pd.DataFrame(metrics["confident_mistakes"], columns=["text", "label", "predicted", "confidence"]))
    report.heading("Least certain predictions")
    report.table(pd.DataFrame(metrics["least_certain"], columns=["text", "label", "predicted", "confidence"]))
    return report


def write_evaluation(
    metrics: dict, report: Report, directory: str | os.PathLike, overwrite: bool = False
) -> dict[str, Path]:
    """Write ``metrics.json`` and the report (Markdown, HTML, PNGs) into ``directory``."""
    content = (json.dumps(metrics, indent=2) + "\n").encode("utf-8")
    paths = report.write(directory, overwrite=overwrite, extra_files={"metrics.json": content})  # one directory swap
    paths["metrics"] = paths.pop("metrics.json")
    return paths
