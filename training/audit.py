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
from sklearn.base import clone
from sklearn.model_selection import KFold, StratifiedKFold

from classifier.errors import InvalidValueError, TrainingDataError
from classifier.tables import write_table
from training.checks import check_folds
from training.data import combine_with_default_corpus, load_default_corpus, load_labelled_data
from training.pipeline import TrainConfig, out_of_fold_probabilities

__all__ = ["find_label_issues", "label_issues", "audit_file", "AUDIT_COLUMNS"]

#: The threshold of a label no row carries (rule 2 has no rows to average): more likely than all others together.
ABSENT_THRESHOLD = 0.5
AUDIT_COLUMNS = ["row", "given_label", "suggested_label", "score", "suggested_probability", "text"]


def label_issues(data: pd.DataFrame, probabilities: np.ndarray, classes: list) -> pd.DataFrame:
    """Rows of ``data`` that confident learning flags, from each row's probabilities by a model that did not see it.

    A label that no row carries gets :data:`ABSENT_THRESHOLD`. The columns in
    ``data.attrs["input_columns"]`` (the input's ids ...) come first, then :data:`AUDIT_COLUMNS`.

    >>> data = pd.DataFrame({"text": ["a", "b", "c", "d"], "label": ["x", "x", "y", "y"]})
    >>> label_issues(data, np.array([[.9, .1], [.2, .8], [.1, .9], [.3, .7]]), ["x", "y"])[["row", "suggested_label"]]
       row suggested_label
    0    3               y
    """
    classes = [str(label) for label in classes]
    unknown = sorted(set(data["label"]) - set(classes))
    if unknown:
        raise TrainingDataError(f"the model knows the labels {', '.join(classes)}, not {', '.join(unknown)}")
    given = np.array([classes.index(label) for label in data["label"]], dtype=int)
    thresholds = np.array(
        [probabilities[given == j, j].mean() if (given == j).any() else ABSENT_THRESHOLD for j in range(len(classes))]
    )
    confident = probabilities >= thresholds
    confident[np.arange(len(given)), given] = False
    candidates = np.where(confident, probabilities, -1.0)
    suggested = candidates.argmax(axis=1)
    flagged = np.flatnonzero(confident.any(axis=1))
    rows = data["row"].to_numpy() if "row" in data else np.arange(len(data)) + 2
    extra = list(data.attrs.get("input_columns", []))
    issues = pd.DataFrame(
        {
            **{column: data[column].to_numpy()[flagged] for column in extra},
            "row": rows[flagged],
            "given_label": [classes[given[i]] for i in flagged],
            "suggested_label": [classes[suggested[i]] for i in flagged],
            "score": np.round(probabilities[flagged, given[flagged]], 6),
            "suggested_probability": np.round(probabilities[flagged, suggested[flagged]], 6),
            "text": data["text"].to_numpy(object)[flagged],
        },
        columns=[*extra, *AUDIT_COLUMNS],
    )
    return issues.sort_values(["score", "row"], kind="stable").reset_index(drop=True)


def find_label_issues(
    data: pd.DataFrame, config: TrainConfig | None = None, corpus: pd.DataFrame | None = None, model=None
) -> pd.DataFrame:
    """Rows of ``data`` (columns text, label[, row]) whose label is likely wrong, most likely first.

    ``score`` is the out-of-fold probability of the given label (low means
    suspicious); ``suggested_probability`` is that of ``suggested_label``.
    The probabilities come from ``config``'s model fitted ``config.folds``
    times on the other rows, plus all of ``corpus`` when given (labelled rows
    such as the shipped corpus: each fold's model learns from them, only
    ``data``'s rows are audited), or from a fitted ``model`` that was not
    trained on ``data`` (no fitting at all).
    """
    config = config or TrainConfig()
    if model is not None and corpus is not None:
        raise InvalidValueError("give a fitted model or a corpus to train with, not both")
    if model is not None:
        return label_issues(data, model.predict_proba(data["text"].tolist()), list(model.classes_))
    estimator = config.estimator().set_params(calibration="none", review_precision=None, scope_quantile=None)
    if corpus is None:
        probabilities, classes = out_of_fold_probabilities(data, estimator, config.folds, config.seed)
    else:
        probabilities, classes = _out_of_fold_with_corpus(data, corpus, estimator, config.folds, config.seed)
    return label_issues(data, probabilities, classes)


def _out_of_fold_with_corpus(
    data: pd.DataFrame, corpus: pd.DataFrame, estimator, folds: int, seed: int
) -> tuple[np.ndarray, list[str]]:
    """Probabilities of ``data``'s rows, each from a model fitted on ``corpus`` plus the other folds of ``data``."""
    from classifier.encoder import SentenceEncoder
    from classifier.semantic import fill_embeddings
    from training.pipeline import cached_embeddings

    if len(data) < folds:
        raise TrainingDataError(f"auditing in {folds} folds needs at least {folds} rows, got {len(data)}")
    combined = combine_with_default_corpus(data.drop(columns=data.attrs.get("input_columns", [])), corpus)
    mine = np.flatnonzero((combined["source"] == "user").to_numpy())
    background = np.flatnonzero((combined["source"] != "user").to_numpy())
    texts, labels = combined["text"].tolist(), combined["label"].to_numpy(object)
    registers = None
    if "register" in combined:
        registers = [value if isinstance(value, str) else None for value in combined["register"]]
    classes = sorted(set(labels))
    embeddings = None
    if estimator.encoder is not None:  # encode each text once, not once per fold
        encoder = SentenceEncoder(model=estimator.encoder, max_length=estimator.encoder_max_length).fit()
        embeddings = fill_embeddings(encoder, texts, cached_embeddings(texts, estimator))
    user_labels = labels[mine]
    stratify = min(np.unique(user_labels, return_counts=True)[1]) >= folds
    splitter = (StratifiedKFold if stratify else KFold)(n_splits=folds, shuffle=True, random_state=seed)
    probabilities = np.zeros((len(mine), len(classes)))
    for train, test in splitter.split(mine, user_labels):
        rows = np.concatenate([background, mine[train]])
        fitted = clone(estimator).fit(
            [texts[i] for i in rows],
            labels[rows].tolist(),
            registers=None if registers is None else [registers[i] for i in rows],
            embeddings=None if embeddings is None else embeddings[rows],
        )
        columns = [classes.index(str(label)) for label in fitted.classes_]
        probabilities[np.ix_(test, columns)] = fitted.predict_proba([texts[i] for i in mine[test]])
    return probabilities, classes


def audit_file(
    data_path: str | os.PathLike,
    output: str | os.PathLike | None = None,
    text_column: str = "text",
    label_column: str = "label",
    config: TrainConfig | None = None,
    overwrite: bool = False,
    with_default_corpus: bool = False,
    model_path: str | os.PathLike | None = None,
) -> pd.DataFrame:
    """Audit a labelled file; write the likely label errors to ``output`` (CSV, Excel, ...) if given.

    Rows are numbered as in a spreadsheet (header = row 1); the file's other
    columns (ids ...) are carried into the result. ``with_default_corpus``
    fits each fold's model on the shipped corpus as well, which needs fewer
    of your rows; ``model_path`` scores the rows with that bundle instead of
    fitting (``"default"``, ``"fast"`` or a directory; a model trained on
    these rows would find nothing).
    """
    from classifier.outputs import check_output_target

    config = config or TrainConfig()
    check_folds(config.folds)
    if model_path is not None and with_default_corpus:
        raise InvalidValueError(
            f"give model_path={str(model_path)!r} or with_default_corpus=True, not both: a model scores the rows "
            "as it is, the corpus is for training new ones"
        )
    if output is not None and str(output) != "-":
        check_output_target(output, overwrite)  # fail now, not after the fits
    lenient = with_default_corpus or model_path is not None
    data = load_labelled_data(
        data_path,
        text_column,
        label_column,
        duplicates="drop",
        min_per_class=1 if lenient else max(config.folds, 2),
        require_all_labels=not lenient,
        keep_columns=True,
    )
    if model_path is not None:
        from classifier.persistence import load_model

        issues = find_label_issues(data, config, model=load_model(model_path))
    else:
        corpus = load_default_corpus() if with_default_corpus else None
        issues = find_label_issues(data, config, corpus=corpus)
    if output is not None:
        write_table(issues, output, overwrite=overwrite)
    return issues
