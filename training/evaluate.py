"""Metrics of a model on labelled data."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

from classifier.labels import LABEL_IDS

__all__ = ["classification_metrics", "evaluate_model", "evaluate_file", "duplicates_note"]


def classification_metrics(y_true: Sequence[str], y_pred: Sequence[str]) -> dict:
    """Accuracy, macro-F1, per-class precision/recall/F1/support and the confusion matrix.

    >>> m = classification_metrics(["ktlo", "ktlo"], ["ktlo", "business_enabling"])
    >>> m["accuracy"], m["per_class"]["ktlo"]["recall"]
    (0.5, 0.5)
    """
    labels = list(LABEL_IDS)
    precision, recall, f1, support = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    present = [label for label in labels if label in set(y_true) | set(y_pred)]
    return {
        "n": len(y_true),
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(f1_score(y_true, y_pred, labels=present, average="macro", zero_division=0)),
        "per_class": {
            label: {
                "precision": float(precision[i]),
                "recall": float(recall[i]),
                "f1": float(f1[i]),
                "support": int(support[i]),
            }
            for i, label in enumerate(labels)
        },
        "confusion_matrix": {
            "labels": labels,
            "matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
        },
        "predicted_shares": {label: float(np.mean(np.asarray(y_pred) == label)) for label in labels},
    }


def evaluate_model(model, texts: Sequence[str], labels: Sequence[str], n_examples: int = 10) -> dict:
    """Metrics of ``model`` on texts with known labels, with calibration, review coverage and baselines.

    Besides :func:`classification_metrics` the result holds ``ece`` and
    ``reliability`` (calibration), ``review`` (share kept by the model's review
    thresholds and their precision; ``coverage_at_0.9`` with thresholds tuned on
    this data), ``baselines`` (majority label of this data; keyword rules),
    ``confident_mistakes`` and ``least_certain`` (``n_examples`` each).
    """
    from classifier.calibration import expected_calibration_error, reliability_table
    from classifier.thresholds import tune_thresholds
    from training.baselines import KeywordBaseline, MajorityBaseline

    texts, labels = list(texts), list(labels)
    decided = model.decide(texts)
    predicted = [str(label) for label in decided.labels]
    classes = [str(label) for label in model.classes_]
    metrics = classification_metrics(labels, predicted)
    metrics["ece"] = expected_calibration_error(labels, decided.probabilities, classes)
    metrics["reliability"] = reliability_table(labels, decided.probabilities, classes)
    kept = ~decided.needs_review
    hits = np.asarray(predicted, dtype=object) == np.asarray(labels, dtype=object)
    metrics["review"] = {
        "thresholds": model.review_thresholds(),
        "kept": float(kept.mean()) if len(kept) else 0.0,
        "precision_kept": float(hits[kept].mean()) if kept.any() else 0.0,
        "out_of_scope": float((~decided.in_scope).mean()) if len(kept) else 0.0,
        "coverage_at_0.9": tune_thresholds(labels, decided.probabilities, classes, 0.9).coverage,
    }
    metrics["baselines"] = {
        name: {
            key: value
            for key, value in classification_metrics(labels, baseline.fit(texts, labels).predict(texts)).items()
            if key in ("accuracy", "macro_f1", "per_class")
        }
        for name, baseline in (("majority", MajorityBaseline()), ("keywords", KeywordBaseline()))
    }

    def example(index: int) -> dict:
        return {
            "text": texts[index],
            "label": labels[index],
            "predicted": predicted[index],
            "confidence": round(float(decided.confidence[index]), 4),
        }

    order = np.argsort(-decided.confidence, kind="stable")
    metrics["confident_mistakes"] = [example(i) for i in order if not hits[i]][:n_examples]
    metrics["least_certain"] = [example(i) for i in order[::-1][:n_examples]]
    return metrics


def evaluate_file(
    model_path: str | os.PathLike | None,
    data_path: str | os.PathLike,
    text_column: str = "text",
    label_column: str = "label",
    report: str | os.PathLike | None = None,
    overwrite: bool = False,
) -> dict:
    """Metrics of the model bundle at ``model_path`` (None: the default) on a labelled file.

    With ``report``, writes ``metrics.json``, ``report.md`` and a self-contained
    ``report.html`` (plus the figures as PNG) into that directory.

    Every row is evaluated, repeated texts included: ``metrics["duplicates"]``
    lists each repeat as ``[row, earlier row]`` (spreadsheet row numbers) and
    ``metrics["conflicts"]`` those whose labels differ.
    """
    from classifier.persistence import load_model
    from training.data import load_labelled_data

    model = load_model(model_path)
    data = load_labelled_data(
        data_path, text_column, label_column, duplicates="keep", min_per_class=1, require_all_labels=False
    )
    metrics = evaluate_model(model, data["text"].tolist(), data["label"].tolist())
    label_at = dict(zip(data["row"], data["label"]))
    metrics["duplicates"] = [list(pair) for pair in data.attrs["duplicates"]]
    metrics["conflicts"] = [list(pair) for pair in data.attrs["duplicates"] if label_at[pair[0]] != label_at[pair[1]]]
    metrics["model"] = str(model_path or "default")
    metrics["data"] = str(data_path)
    if report is not None:
        from training.report import evaluation_report, write_evaluation

        write_evaluation(metrics, evaluation_report(metrics), report, overwrite=overwrite)
    return metrics


def duplicates_note(metrics: dict) -> str | None:
    """One sentence on the repeated texts :func:`evaluate_file` counted, or None when there are none.

    >>> duplicates_note({"duplicates": [[7, 3]], "conflicts": []})
    'Every row is counted: 1 text repeats an earlier row (row 7 = row 3).'
    >>> duplicates_note({"duplicates": [[7, 3], [9, 4]], "conflicts": [[9, 4]]}).split("; ")[1]
    '1 with a different label (row 9).'
    """
    pairs = metrics.get("duplicates") or []
    if not pairs:
        return None
    shown = ", ".join(f"row {row} = row {first}" for row, first in pairs[:5]) + (
        f" and {len(pairs) - 5} more" if len(pairs) > 5 else ""
    )
    texts = "1 text repeats" if len(pairs) == 1 else f"{len(pairs)} texts repeat"
    note = f"Every row is counted: {texts} an earlier row ({shown})"
    conflicts = metrics.get("conflicts") or []
    if conflicts:
        rows = ", ".join(str(row) for row, _ in conflicts[:5]) + (" ..." if len(conflicts) > 5 else "")
        note += f"; {len(conflicts)} with a different label (row{'s' if len(conflicts) > 1 else ''} {rows})"
    return note + "."
