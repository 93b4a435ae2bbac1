"""Loading and validating labelled data for training and evaluation.

Rows are reported as a spreadsheet numbers them: the header is row 1, the
first data row is row 2.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from classifier.errors import LabelError, TrainingDataError
from classifier.labels import LABEL_IDS, parse_label
from classifier.tables import check_columns, read_table

__all__ = [
    "load_labelled_data",
    "default_corpus_path",
    "load_default_corpus",
    "combine_with_default_corpus",
    "duplicate_key",
    "data_sha256",
]

_MAX_LISTED = 8


def default_corpus_path() -> Path:
    """The shipped training corpus, ``training/data/corpus.csv``."""
    return Path(__file__).resolve().parent / "data" / "corpus.csv"


def duplicate_key(text: str) -> str:
    """The form two texts share when they count as duplicates: lower-cased, whitespace folded.

    >>> duplicate_key("  Reset   the PASSWORD ")
    'reset the password'
    """
    return " ".join(text.lower().split())


def data_sha256(path: str | os.PathLike) -> str:
    from classifier.persistence import file_sha256

    return file_sha256(Path(path))


def _problem_list(rows: list[int], what: str) -> str:
    shown = ", ".join(str(row) for row in rows[:_MAX_LISTED])
    more = f" and {len(rows) - _MAX_LISTED} more" if len(rows) > _MAX_LISTED else ""
    return f"{what} at row{'s' if len(rows) > 1 else ''} {shown}{more}"


def load_labelled_data(
    path: str | os.PathLike,
    text_column: str = "text",
    label_column: str = "label",
    duplicates: str = "error",
    min_per_class: int = 5,
    require_all_labels: bool = True,
    register_column: str | None = "register",
    keep_columns: bool = False,
) -> pd.DataFrame:
    """Read and validate a labelled file; return a frame with ``text``, ``label`` and ``row``.

    With ``keep_columns`` the file's other columns (ids, dates ...) follow, as
    read, their names in ``frame.attrs["input_columns"]`` (a name the frame
    already uses gets ``_input`` appended).

    If the file has ``register_column`` (by default ``register``: the kind of
    text, such as ``ticket``), the frame also has ``register``, missing where
    blank; a column named other than the default must exist.

    Labels may be spelled as users do ("KTLO", "outsource", "grow"); they are
    mapped to ids by :func:`classifier.parse_label`. Raises
    :class:`TrainingDataError` naming rows for: unknown labels, empty texts,
    duplicate texts (``duplicates="drop"`` keeps the first of same-label
    duplicates instead), conflicting duplicates (same text, different labels,
    always an error), missing labels and classes with fewer than
    ``min_per_class`` examples. ``duplicates="keep"`` (for evaluation, where
    every row counts) keeps repeated and conflicting texts and lists them in
    ``frame.attrs["duplicates"]``: pairs of (row, earlier row with the same text).
    """
    if duplicates not in ("error", "drop", "keep"):
        raise ValueError(f"duplicates must be 'error', 'drop' or 'keep', got {duplicates!r}")
    source = Path(path)
    frame = read_table(path)
    check_columns(frame, {"text_column": text_column, "label_column": label_column}, str(source))
    rows = pd.RangeIndex(2, len(frame) + 2)
    problems: list[str] = []

    texts = frame[text_column]
    blank = [row for row, text in zip(rows, texts) if not isinstance(text, str) or not text.strip()]
    if blank:
        problems.append(_problem_list(blank, f"empty text in column {text_column!r}") + " (fill or delete those rows)")

    labels: list[str | None] = []
    unknown: dict[str, list[int]] = {}
    for row, value in zip(rows, frame[label_column]):
        try:
            labels.append(parse_label(value if isinstance(value, str) else ""))
        except LabelError:
            labels.append(None)
            unknown.setdefault(str(value), []).append(row)
    for value, value_rows in list(unknown.items())[:_MAX_LISTED]:
        problems.append(
            _problem_list(value_rows, f"unknown label {value!r} in column {label_column!r}")
            + f" (use one of: {', '.join(LABEL_IDS)})"
        )

    data = pd.DataFrame(
        {"text": texts.where(texts.map(lambda t: isinstance(t, str)), ""), "label": labels, "row": rows}
    )
    if register_column is not None and (register_column in frame.columns or register_column != "register"):
        check_columns(frame, {"register_column": register_column}, str(source))
        data["register"] = [
            value.strip() if isinstance(value, str) and value.strip() else None for value in frame[register_column]
        ]
    keys = data["text"].map(duplicate_key)
    first_rows: dict[str, int] = {}
    first_labels: dict[str, str | None] = {}
    conflicts, repeats, keep, pairs = [], [], [], []
    for key, label, row in zip(keys, data["label"], data["row"]):
        if not key:
            keep.append(True)
            continue
        if key in first_rows:
            keep.append(duplicates == "keep")
            pairs.append((int(row), int(first_rows[key])))
            if duplicates == "keep":
                continue
            if first_labels[key] != label:
                conflicts.append(f"{first_rows[key]}/{row}")
            else:
                repeats.append(row)
        else:
            first_rows[key], first_labels[key] = row, label
            keep.append(True)
    if conflicts:
        problems.append(
            f"the same text has different labels at rows {', '.join(conflicts[:_MAX_LISTED])}"
            + (f" and {len(conflicts) - _MAX_LISTED} more" if len(conflicts) > _MAX_LISTED else "")
            + " (decide one label per text)"
        )
    if repeats and duplicates == "error":
        problems.append(
            _problem_list(repeats, "duplicate text (same as an earlier row)")
            + " (delete them, or use drop_duplicates=True)"
        )
    if problems:
        raise TrainingDataError(f"{source}: {len(problems)} problem(s): " + "; ".join(problems))

    if keep_columns:
        used = set(data.columns)
        names = {column: f"{column}_input" if column in used else column for column in frame.columns
                 if column not in (text_column, label_column, register_column)}  # fmt: skip
        for column, name in names.items():
            data[name] = frame[column].to_numpy()
    data = data[keep].reset_index(drop=True)
    data.attrs["duplicates"] = pairs
    data.attrs["input_columns"] = list(names.values()) if keep_columns else []
    counts = data["label"].value_counts()
    if require_all_labels:
        missing = [label for label in LABEL_IDS if counts.get(label, 0) == 0]
        if missing:
            raise TrainingDataError(
                f"{source}: no examples of {', '.join(missing)}; every label needs examples. "
                "Add some, or train with with_default_corpus=True"
            )
    few = {label: int(count) for label, count in counts.items() if count < min_per_class}
    if few:
        raise TrainingDataError(
            f"{source}: too few examples of {', '.join(f'{k} ({v})' for k, v in few.items())}; "
            f"each label needs at least {min_per_class}. Add examples or train with with_default_corpus=True"
        )
    return data


def load_default_corpus() -> pd.DataFrame:
    """The shipped corpus, validated like any labelled file."""
    return load_labelled_data(default_corpus_path())


def combine_with_default_corpus(user: pd.DataFrame, corpus: pd.DataFrame, user_weight: float = 1.0) -> pd.DataFrame:
    """The user's rows plus the corpus rows whose text the user has not labelled.

    The user's label wins where both have the same text; user rows get
    ``user_weight`` as sample weight, corpus rows 1.0.
    """
    if user_weight <= 0:
        raise TrainingDataError(f"user weight must be positive, got {user_weight}; use e.g. user_weight=2")
    user_keys = set(user["text"].map(duplicate_key))
    kept = corpus[~corpus["text"].map(duplicate_key).isin(user_keys)]
    return pd.concat(
        [user.assign(weight=float(user_weight), source="user"), kept.assign(weight=1.0, source="default_corpus")],
        ignore_index=True,
    )
