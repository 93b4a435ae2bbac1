"""Metrics of a model on labelled data."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

from classifier.labels import LABEL_IDS

__all__ = ["classification_metrics", "evaluate_model", "evaluate_file"]


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


def evaluate_model(model, texts: Sequence[str], labels: Sequence[str]) -> dict:
    """Metrics of ``model`` on texts with known labels."""
    return classification_metrics(list(labels), model.predict(texts))


def evaluate_file(
    model_path: str | os.PathLike | None,
    data_path: str | os.PathLike,
    text_column: str = "text",
    label_column: str = "label",
) -> dict:
    """Metrics of the model bundle at ``model_path`` (None: the default) on a labelled file."""
    from classifier.persistence import load_model
    from training.data import load_labelled_data

    model = load_model(model_path)
    data = load_labelled_data(
        data_path, text_column, label_column, duplicates="drop", min_per_class=1, require_all_labels=False
    )
    metrics = evaluate_model(model, data["text"].tolist(), data["label"].tolist())
    metrics["model"] = str(model_path or "default")
    metrics["data"] = str(data_path)
    return metrics
