"""Review thresholds: when to accept a label automatically and when to send it to a person.

Like the ticket-routing classifiers of ITSM suites, a model carries a
confidence threshold per label: a prediction whose confidence is below the
threshold of its label *needs review*. :func:`tune_thresholds` picks, for each
label, the lowest threshold at which the predictions kept reach a target
precision on labelled data, which keeps as many predictions as possible.

>>> import numpy as np
>>> classes = ["a", "b"]
>>> proba = np.array([[0.95, 0.05], [0.9, 0.1], [0.8, 0.2], [0.6, 0.4], [0.2, 0.8]])
>>> tuning = tune_thresholds(["a", "a", "a", "b", "b"], proba, classes, precision=0.9)
>>> tuning.thresholds
{'a': 0.8, 'b': 0.8}
>>> review_flags(["a", "a"], np.array([0.85, 0.7]), tuning.thresholds).tolist()
[False, True]
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from classifier.errors import InputTextError

__all__ = ["ThresholdTuning", "tune_thresholds", "review_flags", "check_precision", "is_probability"]


@dataclass
class ThresholdTuning:
    """Thresholds per label and what they keep on the data they were tuned on.

    ``per_class[label]`` holds ``threshold``, ``predicted`` (how many items got
    the label), ``kept`` (how many of them reach the threshold), ``coverage``
    (kept / predicted) and ``precision`` (of the kept ones).
    """

    precision_target: float
    thresholds: dict[str, float]
    per_class: dict[str, dict] = field(default_factory=dict)
    coverage: float = 0.0
    precision: float = 0.0

    def to_dict(self) -> dict:
        return {
            "precision_target": self.precision_target,
            "thresholds": dict(self.thresholds),
            "per_class": {label: dict(row) for label, row in self.per_class.items()},
            "coverage": self.coverage,
            "precision": self.precision,
        }


def is_probability(value: object) -> bool:
    """Whether ``value`` is a number (not a bool) from 0 to 1 inclusive.

    >>> is_probability(0.7), is_probability(1.5), is_probability(True)
    (True, False, False)
    """
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1


def check_precision(precision: float) -> float:
    """Validate a target precision (a number strictly between 0 and 1)."""
    if isinstance(precision, bool) or not isinstance(precision, (int, float)) or not 0 < precision < 1:
        raise InputTextError(f"target precision must be a number between 0 and 1 (exclusive), got {precision!r}")
    return float(precision)


def tune_thresholds(
    y_true: Sequence[Hashable] | np.ndarray,
    probabilities: np.ndarray,
    classes: Sequence[Hashable] | np.ndarray,
    precision: float = 0.9,
) -> ThresholdTuning:
    """Per label, the lowest confidence threshold whose kept predictions reach ``precision``.

    A label whose predictions never reach the target gets threshold 1.0: its
    predictions always go to review.
    """
    precision = check_precision(precision)
    probabilities = np.asarray(probabilities, dtype=float)
    y_true = np.asarray(y_true, dtype=object)
    if probabilities.ndim != 2 or probabilities.shape != (len(y_true), len(classes)):
        raise InputTextError(
            f"probabilities must have shape ({len(y_true)}, {len(classes)}), got {probabilities.shape}"
        )
    confidence = probabilities.max(axis=1)
    predicted = np.asarray(classes, dtype=object)[probabilities.argmax(axis=1)]
    thresholds, per_class = {}, {}
    kept_total = hits_total = 0
    for label in classes:
        mine = predicted == label
        conf = confidence[mine]
        order = np.argsort(-conf, kind="stable")
        conf, hits = conf[order], (y_true[mine] == label)[order]
        cumulative = np.cumsum(hits) / np.arange(1, len(hits) + 1) if len(hits) else np.array([])
        # keep k items only where all tied confidences come along: last position of each distinct value
        last_of_value = np.r_[conf[1:] != conf[:-1], True] if len(conf) else np.array([], dtype=bool)
        ok = np.flatnonzero((cumulative >= precision) & last_of_value)
        if len(ok):
            k = int(ok[-1]) + 1
            threshold = float(conf[k - 1])
            kept, kept_hits = k, int(hits[:k].sum())
        else:
            threshold, kept, kept_hits = 1.0, int((conf >= 1.0).sum()), int(hits[conf >= 1.0].sum())
        thresholds[str(label)] = round(threshold, 6)
        per_class[str(label)] = {
            "threshold": round(threshold, 6),
            "predicted": int(mine.sum()),
            "kept": kept,
            "coverage": round(kept / mine.sum(), 6) if mine.sum() else 0.0,
            "precision": round(kept_hits / kept, 6) if kept else 0.0,
        }
        kept_total += kept
        hits_total += kept_hits
    return ThresholdTuning(
        precision_target=precision,
        thresholds=thresholds,
        per_class=per_class,
        coverage=round(kept_total / len(y_true), 6) if len(y_true) else 0.0,
        precision=round(hits_total / kept_total, 6) if kept_total else 0.0,
    )


def review_flags(
    labels: Sequence[Hashable] | np.ndarray, confidence: np.ndarray, thresholds: Mapping[str, float] | float
) -> np.ndarray:
    """True where a prediction's confidence is below the threshold of its label (or below one overall threshold)."""
    confidence = np.asarray(confidence, dtype=float)
    if isinstance(thresholds, Mapping):
        limits = np.array([thresholds.get(str(label), 0.0) for label in labels], dtype=float)
    else:
        limits = np.full(len(confidence), float(thresholds))
    return confidence < limits
