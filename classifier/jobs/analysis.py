"""The mix of a job: what share of a role's activities is ktlo, commodity and business-enabling.

:func:`analyze_job` splits a job description (or a free-text work log) into
activities with :func:`~classifier.jobs.splitter.split_activities`, labels them
all in one batch, and sums them into a mix, an overall label, the
high-value (business-enabling) activities and one recommendation per label.

>>> import numpy as np
>>> class Keywords:  # a stand-in model: "Build" is business-enabling, "Reset" commodity
...     classes_ = np.array(["business_enabling", "commodity_outsourceable", "ktlo"])
...     def predict_proba(self, texts):
...         return np.array([[0.8, 0.1, 0.1] if "Build" in t else [0.1, 0.7, 0.2] for t in texts])
>>> job = analyze_job("Responsibilities:\\n- Build the customer booking app\\n- Reset user passwords", Keywords())
>>> [a.label for a in job.activities]
['business_enabling', 'commodity_outsourceable']
>>> job.mix
{'ktlo': 0.0, 'commodity_outsourceable': 0.5, 'business_enabling': 0.5}
>>> len(job.set_aside), job.high_value[0].text
(1, 'Build the customer booking app')
"""

from __future__ import annotations

import math
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from classifier.errors import InputTextError, InvalidValueError
from classifier.jobs.patterns import NON_ACTIVITY_KINDS
from classifier.jobs.splitter import Activity, split_activities
from classifier.labels import BUSINESS_ENABLING, LABEL_IDS, LABELS
from classifier.model import ITWorkClassifier
from classifier.shares import label_shares, label_totals

__all__ = [
    "JobAnalysis",
    "ScoredActivity",
    "analyze_job",
    "analyze_job_table",
    "analyze_job_source",
    "label_mix",
    "recommendations",
    "read_job_text",
]


@dataclass(frozen=True)
class ScoredActivity:
    """One activity of a job with its label, confidence, probabilities and weight in the mix."""

    text: str
    label: str
    confidence: float
    probabilities: dict[str, float]
    weight: float
    line: int
    start: int
    end: int
    section: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "text": self.text,
            "label": self.label,
            "confidence": self.confidence,
            "probabilities": dict(self.probabilities),
            "weight": self.weight,
            "line": self.line,
            "start": self.start,
            "end": self.end,
            "section": self.section,
        }


@dataclass(frozen=True)
class JobAnalysis:
    """What :func:`analyze_job` found.

    ``mix`` maps each label to its share of the job (sums to 1; all zero when
    no activity was found, and then ``label`` is None). ``label`` is the label
    with the largest share; a tie goes to the label with the larger weighted sum
    of probabilities.
    ``set_aside`` holds the pieces that describe no work, with their kind.
    ``measure`` is what the mix shares out: ``"activities"`` (each counts
    once), ``"weights"`` or the name of the weights column (``"hours"``).
    """

    activities: list[ScoredActivity]
    set_aside: list[Activity]
    mix: dict[str, float]
    label: str | None
    high_value: list[ScoredActivity]
    recommendations: dict[str, str]
    measure: str = "activities"

    def set_aside_counts(self) -> dict[str, int]:
        """Number of set-aside pieces per kind, in ``NON_ACTIVITY_KINDS`` order."""
        counts = Counter(piece.kind for piece in self.set_aside)
        return {kind: counts[kind] for kind in NON_ACTIVITY_KINDS if counts[kind]}

    def to_frame(self) -> pd.DataFrame:
        """One row per activity: line, text, label, confidence, weight and one probability column per label."""
        columns = ["line", "text", "label", "confidence", "weight"] + [f"p_{label}" for label in LABEL_IDS]
        rows = [
            [a.line, a.text, a.label, a.confidence, a.weight] + [a.probabilities[label] for label in LABEL_IDS]
            for a in self.activities
        ]
        return pd.DataFrame(rows, columns=columns)

    def to_dict(self) -> dict[str, object]:
        """A plain dict, ready for ``json.dumps``."""
        return {
            "label": self.label,
            "measure": self.measure,
            "mix": dict(self.mix),
            "activities": [activity.to_dict() for activity in self.activities],
            "high_value": [activity.text for activity in self.high_value],
            "recommendations": dict(self.recommendations),
            "set_aside": [piece.to_dict() for piece in self.set_aside],
            "set_aside_counts": self.set_aside_counts(),
        }

    def summary(self) -> str:
        """One line: the overall label and the mix.

        >>> JobAnalysis([], [], {"ktlo": 0.5, "commodity_outsourceable": 0.25, "business_enabling": 0.25},
        ...             "ktlo", [], {}).summary()
        'largest share: ktlo (50%); ktlo 50%, commodity_outsourceable 25%, business_enabling 25%'
        """
        if self.label is None:
            return "no activities found"
        shares = ", ".join(f"{label} {share:.0%}" for label, share in self.mix.items())
        return f"largest share: {self.label} ({self.mix[self.label]:.0%}); {shares}"


def label_mix(labels: Sequence[str], weights: Sequence[float] | None = None) -> dict[str, float]:
    """Share of each label in ``labels``, each counted with its weight (1 if no weights).

    >>> label_mix(["ktlo", "ktlo", "business_enabling"], [1, 1, 2])
    {'ktlo': 0.5, 'commodity_outsourceable': 0.0, 'business_enabling': 0.5}
    """
    return label_shares(label_totals(labels, weights))


def _shorten(text: str, width: int = 70) -> str:
    return text if len(text) <= width else text[: width - 3].rstrip() + "..."


def recommendations(mix: dict[str, float], activities: Sequence[ScoredActivity]) -> dict[str, str]:
    """One line per label: its share, the action its label implies, and the activity to start with."""
    lines = {}
    for label in LABEL_IDS:
        mine = sorted((a for a in activities if a.label == label), key=lambda a: -a.confidence)
        head = f"{LABELS[label].name}: {mix[label]:.0%} of the job ({len(mine)} of {len(activities)} activities)"
        if not mine:
            lines[label] = f"{head}; nothing to {LABELS[label].action.split(':')[0].split(' and ')[0]} here"
            continue
        verb = "start with" if label == BUSINESS_ENABLING else "first candidate"
        lines[label] = f"{head}; {LABELS[label].action}; {verb}: {_shorten(mine[0].text)!r}"
    return lines


def _check_weights(weights: Sequence[float], count: int) -> list[float]:
    values = list(weights)
    if len(values) != count:
        raise InvalidValueError(
            f"weights has {len(values)} values but the text holds {count} activities; "
            "give one weight per activity, in the order split_activities(text) returns them"
        )
    for index, value in enumerate(values):
        number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
        if number is None or not math.isfinite(number) or number < 0:
            raise InvalidValueError(
                f"weight {value!r} at position {index} is not a finite number >= 0; give hours or shares such as 1.5"
            )
    if values and sum(values) <= 0:
        raise InvalidValueError("all weights are 0; give at least one activity a positive weight")
    return [float(value) for value in values]


def analyze_job(
    text: str, model: ITWorkClassifier | None = None, weights: Sequence[float] | None = None
) -> JobAnalysis:
    """Split ``text`` into activities, label them, and sum them into the job's mix.

    ``weights`` (hours, or shares of time) gives each activity its weight in
    the mix, one per activity in the order :func:`split_activities` returns
    the activities; without it every activity counts the same.
    """
    pieces = split_activities(text)
    found = [piece for piece in pieces if piece.is_activity]
    set_aside = [piece for piece in pieces if not piece.is_activity]
    values = [1.0] * len(found) if weights is None else _check_weights(weights, len(found))
    return _analysis(found, set_aside, values, model, "activities" if weights is None else "weights")


def _analysis(
    found: list[Activity], set_aside: list[Activity], values: list[float], model: ITWorkClassifier | None, measure: str
) -> JobAnalysis:
    """Label the activities ``found`` in one batch and sum them, each with its weight, into a job's mix."""
    if model is None:
        from classifier.persistence import load_model

        model = load_model()
    activities: list[ScoredActivity] = []
    if found:
        probabilities = model.predict_proba([piece.text for piece in found])
        order = [list(model.classes_).index(label) for label in LABEL_IDS]
        for piece, row, weight in zip(found, probabilities[:, order], values):
            best = int(row.argmax())
            activities.append(
                ScoredActivity(
                    text=piece.text,
                    label=LABEL_IDS[best],
                    confidence=round(float(row[best]), 6),
                    probabilities={label: round(float(p), 6) for label, p in zip(LABEL_IDS, row)},
                    weight=weight,
                    line=piece.line,
                    start=piece.start,
                    end=piece.end,
                    section=piece.section,
                )
            )
    weights = [a.weight for a in activities]
    mix = label_mix([a.label for a in activities], weights) if sum(weights) > 0 else label_mix([])
    mass = {label: sum(a.probabilities[label] * a.weight for a in activities) for label in LABEL_IDS}
    overall = max(LABEL_IDS, key=lambda label: (mix[label], mass[label])) if sum(weights) > 0 else None
    high_value = sorted((a for a in activities if a.label == BUSINESS_ENABLING), key=lambda a: -a.confidence)
    return JobAnalysis(activities, set_aside, mix, overall, high_value, recommendations(mix, activities), measure)


def analyze_job_table(
    df: pd.DataFrame,
    text_column: str = "text",
    weights_column: str | None = None,
    model: ITWorkClassifier | None = None,
    source: str = "the data frame",
) -> JobAnalysis:
    """A job given as a table, such as a work log: each row's text is split into activities and labelled.

    With ``weights_column`` (hours, or shares of time) a row's weight is shared
    equally among its activities; without it every activity counts once. The
    weights are checked as ``analyze_portfolio`` checks hours: a number of at
    least 0 on every row with text. Rows with blank text are skipped; a row
    whose text holds no activity (only a heading, say) adds its pieces to
    ``set_aside`` and its weight to no label. Each piece's ``line`` is the
    row's number as in a spreadsheet (header = row 1); ``start``/``end`` are
    offsets in that row's text. ``source`` names the input in error messages.

    >>> import numpy as np
    >>> class Keywords:  # a stand-in model: "Build" is business-enabling, everything else ktlo
    ...     classes_ = np.array(["business_enabling", "commodity_outsourceable", "ktlo"])
    ...     def predict_proba(self, texts):
    ...         return np.array([[0.8, 0.1, 0.1] if "Build" in t else [0.1, 0.2, 0.7] for t in texts])
    >>> log = pd.DataFrame({"text": ["Build the booking app", "Patch the CRM; rerun the export"], "hours": [6, 2]})
    >>> job = analyze_job_table(log, weights_column="hours", model=Keywords())
    >>> [(a.line, a.weight) for a in job.activities], job.mix["business_enabling"], job.measure
    ([(2, 6.0), (3, 1.0), (3, 1.0)], 0.75, 'hours')
    """
    from classifier.portfolio.analysis import checked_hours  # one check of hours for portfolios and jobs
    from classifier.tables import check_columns

    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"analyze_job_table needs a pandas DataFrame, got {type(df).__name__}; see read_table")
    needed = {"text_column": text_column}
    if weights_column is not None:
        needed["weights_column"] = weights_column
    check_columns(df, needed, source)
    frame = df.reset_index(drop=True)
    texts = frame[text_column].tolist()
    usable = np.array([isinstance(text, str) and bool(text.strip()) for text in texts], dtype=bool)
    row_weights = (
        checked_hours(frame, weights_column, usable, source) if weights_column is not None else usable.astype(float)
    )
    found: list[Activity] = []
    set_aside: list[Activity] = []
    values: list[float] = []
    for position in np.flatnonzero(usable):
        row = int(position) + 2
        pieces = [replace(piece, line=row) for piece in split_activities(texts[position])]
        mine = [piece for piece in pieces if piece.is_activity]
        found += mine
        set_aside += [piece for piece in pieces if not piece.is_activity]
        if mine:
            values += [float(row_weights[position]) / len(mine) if weights_column is not None else 1.0] * len(mine)
    return _analysis(found, set_aside, values, model, weights_column or "activities")


def analyze_job_source(
    source: str,
    model: ITWorkClassifier | None = None,
    text_column: str = "text",
    weights_column: str | None = None,
    encoding: str | None = None,
) -> JobAnalysis:
    """The job in ``source``: a table file read with :func:`analyze_job_table`, else a text for :func:`analyze_job`.

    ``source`` is a table when ``weights_column`` is given or its extension is
    that of a table other than ``.txt`` (``.csv``, ``.tsv``, ``.jsonl``,
    ``.parquet``, ``.xlsx``...); otherwise it is a text file, ``-`` (standard
    input) or the text itself (see :func:`read_job_text`).
    """
    from classifier.tables import read_table

    if weights_column is None and not _is_table_file(source):
        return analyze_job(read_job_text(source), model)
    name = "standard input" if source == "-" else source
    return analyze_job_table(read_table(source, encoding), text_column, weights_column, model, source=name)


def _is_table_file(source: str) -> bool:
    suffix = Path(source).suffix.lower() if "\n" not in source and len(source) < 4096 else ""
    return suffix in {".csv", ".tsv", ".tab", ".jsonl", ".ndjson", ".parquet", ".pq", ".xlsx", ".xlsm", ".xls"}


def read_job_text(source: str) -> str:
    """The text of a job: ``source`` is a file path, ``-`` (standard input) or the text itself.

    A single word that looks like a file name (``ad.txt``, ``jobs/dba.md``) but
    names no file is an error rather than a one-word job.

    >>> read_job_text("Patch the servers; rotate the backup tapes")
    'Patch the servers; rotate the backup tapes'
    """
    if source == "-":
        return sys.stdin.read()
    looks_like_path = "\n" not in source and len(source) < 4096
    if looks_like_path and Path(source).is_file():
        try:
            return Path(source).read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as error:
            raise InputTextError(
                f"{source} is not UTF-8 text (byte {error.start}); save it as UTF-8 or paste the text instead"
            ) from error
    if looks_like_path and not any(c.isspace() for c in source) and ("/" in source or Path(source).suffix):
        raise InputTextError(f"file {source} not found; check the path, or quote the job text itself")
    return source
