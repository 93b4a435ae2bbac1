"""Label audit: rank the rows of a labelled file whose label is most likely wrong.

This is the core rule of confident learning (Northcutt, Jiang and Chuang,
"Confident Learning: Estimating Uncertainty in Dataset Labels", JAIR 2021),
implemented on the out-of-fold probabilities of this library's own model:

1. every row is scored by a model trained without it (k-fold);
2. each label ``j`` gets a threshold ``t_j``: the mean probability of ``j``
   over the rows labelled ``j`` (how sure the model typically is of that label);
3. a row labelled ``i`` is *confidently* another label ``j`` when
   ``p_j >= t_j`` for some ``j != i`` (the largest such ``p_j`` wins): those rows
   are the likely label errors;
4. they are ranked by the probability the model gives their own label, lowest
   first (cleanlab's "self-confidence" ranking).

A flagged row is a row for a person to look at, not proof of an error: the
model may be the one that is wrong.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from classifier.tables import write_table
from training.data import load_labelled_data
from training.pipeline import TrainConfig, out_of_fold_probabilities

__all__ = ["find_label_issues", "audit_file", "AUDIT_COLUMNS"]

AUDIT_COLUMNS = ["row", "given_label", "suggested_label", "score", "suggested_probability", "text"]


def find_label_issues(data: pd.DataFrame, config: TrainConfig | None = None) -> pd.DataFrame:
    """Rows of ``data`` (columns text, label[, row]) whose label is likely wrong, most likely first.

    ``score`` is the out-of-fold probability of the given label (low means
    suspicious); ``suggested_probability`` is that of ``suggested_label``.
    """
    config = config or TrainConfig()
    estimator = config.estimator().set_params(calibration="none", review_precision=None, scope_quantile=None)
    probabilities, classes = out_of_fold_probabilities(data, estimator, config.folds, config.seed)
    given = np.array([classes.index(label) for label in data["label"]])
    thresholds = np.array([probabilities[given == j, j].mean() for j in range(len(classes))])
    confident = probabilities >= thresholds
    confident[np.arange(len(given)), given] = False
    candidates = np.where(confident, probabilities, -1.0)
    suggested = candidates.argmax(axis=1)
    flagged = np.flatnonzero(confident.any(axis=1))
    rows = data["row"].to_numpy() if "row" in data else np.arange(len(data)) + 2
    issues = pd.DataFrame(
        {
            "row": rows[flagged],
            "given_label": [classes[given[i]] for i in flagged],
            "suggested_label": [classes[suggested[i]] for i in flagged],
            "score": np.round(probabilities[flagged, given[flagged]], 6),
            "suggested_probability": np.round(probabilities[flagged, suggested[flagged]], 6),
            "text": data["text"].to_numpy(object)[flagged],
        },
        columns=AUDIT_COLUMNS,
    )
    return issues.sort_values(["score", "row"], kind="stable").reset_index(drop=True)


def audit_file(
    data_path: str | os.PathLike,
    output: str | os.PathLike | None = None,
    text_column: str = "text",
    label_column: str = "label",
    config: TrainConfig | None = None,
    overwrite: bool = False,
) -> pd.DataFrame:
    """Audit a labelled file; write the likely label errors to ``output`` (CSV, Excel, ...) if given.

    Rows are numbered as in a spreadsheet (header = row 1).
    """
    config = config or TrainConfig()
    data = load_labelled_data(
        data_path, text_column, label_column, duplicates="drop", min_per_class=max(config.folds, 2)
    )
    issues = find_label_issues(data, config)
    if output is not None:
        write_table(issues, output, overwrite=overwrite)
    return issues
