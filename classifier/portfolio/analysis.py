"""Where a team's time goes: the share of hours (or of items) per label, overall and per group.

:func:`analyze_portfolio` takes a task list or timesheet export as a
DataFrame, labels every row with :func:`~classifier.scoring.score_frame`, and
sums the rows per label: overall, per group column (team, person, system),
and the most representative activities of each label.
:func:`summarize_portfolio` does the summing alone, on rows scored before
(to see the shares again with other rows left out, without scoring again).

What the shares leave out is counted, never dropped silently: rows with blank
text are never scored; out-of-scope rows (no IT work) and rows whose label
needs review (below the model's confidence threshold) are counted in the
shares unless ``exclude_out_of_scope`` / ``exclude_review`` is set.

Without ``model`` the shipped model labels the rows; here a toy one does:

>>> import pandas as pd
>>> from classifier import ITWorkClassifier
>>> model = ITWorkClassifier(scope_quantile=None).fit(
...     ["reset my password", "replace the broken laptop", "build the customer booking app",
...      "launch online ordering for customers", "patch our claims system", "fix the nightly billing batch job"],
...     ["commodity_outsourceable"] * 2 + ["business_enabling"] * 2 + ["ktlo"] * 2)
>>> tasks = pd.DataFrame({
...     "team": ["desk", "desk", "apps"],
...     "task": ["Reset user passwords", "Replace laptop batteries", "Build the customer booking app"],
...     "hours": ["1", "3", "4"]})
>>> result = analyze_portfolio(tasks, "task", hours_column="hours", group_by="team", model=model)
>>> result.overall
{'ktlo': 0.0, 'commodity_outsourceable': 0.5, 'business_enabling': 0.5}
>>> float(result.groups["team"].loc["desk", "commodity_outsourceable"])
1.0
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from classifier.errors import ColumnNotFoundError, InvalidValueError
from classifier.labels import LABEL_IDS
from classifier.model import ITWorkClassifier
from classifier.portfolio.activities import top_activities
from classifier.progress import shown
from classifier.scoring import _has_text, output_columns, score_frame, with_priors
from classifier.shares import label_shares
from classifier.tables import check_columns
from classifier.worker_model import one_encoder_thread

__all__ = ["PortfolioAnalysis", "analyze_portfolio", "summarize_portfolio", "describe_model", "LEFT_OUT_KINDS"]

#: The kinds of rows a portfolio can leave out of its shares, in the order reports list them.
LEFT_OUT_KINDS = ("out_of_scope", "needs_review", "blank")
BLANK_GROUP = "(blank)"
#: Rows scored at a time (and handed to each worker process with ``n_jobs``).
CHUNK_ROWS = 5_000


@dataclass(frozen=True)
class PortfolioAnalysis:
    """What :func:`analyze_portfolio` found.

    ``measure`` is ``"hours"`` or ``"items"``. ``rows`` is the input with
    ``label``, ``confidence``, ``needs_review``, ``in_scope`` and ``p_<label>``
    columns added. ``totals`` and ``overall`` are the hours (or items) and
    share per label over the rows in the shares (``included`` of them);
    ``groups`` holds, per group column, a table indexed by group value with
    the total and the share per label, largest first. ``left_out`` counts the
    out-of-scope, needs-review and blank rows (``rows``, the measure, and
    whether the shares ``excluded`` them). ``top_activities`` holds each
    label's most representative activities: rows in scope, those that need no
    review first, the most confident first, rows with the same text (ignoring
    case and spacing) summed, texts that begin alike (four words) shown once.
    ``source`` names the input, ``model_info`` the model (name, training data
    SHA-256, creation date, priors).
    """

    rows: pd.DataFrame
    measure: str
    totals: dict[str, float]
    overall: dict[str, float]
    groups: dict[str, pd.DataFrame]
    top_activities: pd.DataFrame
    scored: int
    blank: int
    included: int = 0
    left_out: pd.DataFrame = field(default_factory=pd.DataFrame)
    source: str = "the data frame"
    model_info: dict[str, object] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """The summary (not the rows) as plain data, ready for ``json.dumps``."""
        return {
            "source": self.source,
            "model": dict(self.model_info),
            "measure": self.measure,
            "scored": self.scored,
            "blank": self.blank,
            "included": self.included,
            "left_out": {
                kind: {key: (bool(value) if key == "excluded" else value) for key, value in row.items()}
                for kind, row in self.left_out.to_dict(orient="index").items()
            },
            "totals": dict(self.totals),
            "overall": dict(self.overall),
            "groups": {name: table.reset_index().to_dict(orient="records") for name, table in self.groups.items()},
            "top_activities": self.top_activities.to_dict(orient="records"),
        }


def _as_list(group_by: str | Sequence[str] | None) -> list[str]:
    if group_by is None:
        return []
    if isinstance(group_by, str):
        return [group_by]
    return list(group_by)


def checked_hours(frame: pd.DataFrame, column: str, usable: np.ndarray, source: str) -> np.ndarray:
    values = np.zeros(len(frame))
    problems = []
    for position, value in enumerate(frame[column].tolist()):
        if not usable[position]:
            continue
        number = None
        if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
            number = float(value)
        elif isinstance(value, str):
            try:
                number = float(value.strip())
            except ValueError:
                number = None
        if number is None or not math.isfinite(number) or number < 0:
            problems.append(f"row {position + 2} has {value!r}")
            if len(problems) == 5:
                break
        else:
            values[position] = number
    if problems:
        raise InvalidValueError(
            f"hours column {column!r} in {source} must hold numbers >= 0 (such as 1.5) on every row with text; "
            f"{'; '.join(problems)} (rows numbered as in a spreadsheet, header = row 1). Fix or delete those rows"
        )
    return values


def describe_model(model: ITWorkClassifier, priors: dict[str, float] | None = None) -> dict[str, object]:
    """What a report says about the model: its name and path, its card's training-data SHA-256 and date, priors."""
    card = getattr(model, "card_", None) or {}
    sources = (card.get("training_data") or {}).get("sources") or []
    path = getattr(model, "path_", None)
    return {
        "name": card.get("name") or (path.name if path is not None else "a model not saved as a bundle"),
        "path": str(path) if path is not None else None,
        "training_sha256": [str(source.get("sha256", "")) for source in sources if source.get("sha256")],
        "created": card.get("created"),
        "priors": priors,
    }


def _score(model, frame, text_column, min_confidence, priors, n_jobs, progress):
    """Score ``frame`` in chunks (in ``n_jobs`` worker processes); return the rows and the priors used."""
    from classifier.parallel import effective_n_jobs, ordered_map

    used = None
    if priors is not None:
        texts = [text for text in frame[text_column] if _has_text(text)]
        model, used = with_priors(model, priors, lambda: texts)
    workers = effective_n_jobs(n_jobs)
    if workers > 1:
        model = one_encoder_thread(model)  # each worker process is one core's worth of work
    chunks = [frame.iloc[start : start + CHUNK_ROWS] for start in range(0, len(frame), CHUNK_ROWS)] or [frame]
    from tqdm import tqdm

    show = shown(progress)
    pieces = []
    with tqdm(total=len(frame), disable=not show, file=sys.stderr, unit=" rows", unit_scale=True, delay=1) as bar:
        work = ((chunk, text_column, min_confidence) for chunk in chunks)
        for piece in ordered_map(_score_chunk, model, work, n_workers=workers):
            pieces.append(piece)
            bar.update(len(piece))
    return pd.concat(pieces, ignore_index=True), used


def _score_chunk(model: ITWorkClassifier, item: tuple[pd.DataFrame, str, float | None]) -> pd.DataFrame:
    # Runs in a worker process (classifier.parallel) with n_jobs > 1.
    frame, text_column, min_confidence = item
    return score_frame(frame, text_column, model=model, min_confidence=min_confidence)


def analyze_portfolio(
    df: pd.DataFrame,
    text_column: str,
    hours_column: str | None = None,
    group_by: str | Sequence[str] | None = None,
    model: ITWorkClassifier | None = None,
    top_n: int = 5,
    source: str = "the data frame",
    *,
    exclude_review: bool = False,
    exclude_out_of_scope: bool = False,
    min_confidence: float | None = None,
    priors: str | dict[str, float] | None = None,
    n_jobs: int | None = None,
    progress: bool | None = False,
) -> PortfolioAnalysis:
    """Label every row of ``df`` and sum hours (or items, without ``hours_column``) per label and group.

    ``group_by`` is a column name or a list of them; each gets its own table.
    ``source`` names the input in error messages and reports (e.g. the file name).
    ``exclude_review`` / ``exclude_out_of_scope`` leave rows that need review /
    that are out of scope out of the shares (they are counted in ``left_out``
    either way). ``min_confidence``, ``priors``, ``n_jobs`` and ``progress``
    work as in :func:`~classifier.scoring.score_file`.
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"analyze_portfolio needs a pandas DataFrame, got {type(df).__name__}; see read_table")
    _check(df, text_column, hours_column, _as_list(group_by), source, top_n)
    clashes = [column for column in output_columns() if column in df.columns]
    if clashes:
        raise ColumnNotFoundError(
            f"{source} already has column(s) {', '.join(clashes)}, which the analysis adds; rename them first"
        )
    if model is None:
        from classifier.persistence import load_model

        model = load_model()
    rows, used = _score(model, df.reset_index(drop=True), text_column, min_confidence, priors, n_jobs, progress)
    return summarize_portfolio(
        rows,
        text_column,
        hours_column=hours_column,
        group_by=group_by,
        top_n=top_n,
        source=source,
        exclude_review=exclude_review,
        exclude_out_of_scope=exclude_out_of_scope,
        model_info=describe_model(model, used),
    )


def _check(frame, text_column, hours_column, groups, source, top_n) -> None:
    if isinstance(top_n, bool) or not isinstance(top_n, int) or top_n < 1:
        raise InvalidValueError(f"top_n must be a whole number of at least 1, got {top_n!r}")
    for column in groups:
        check_columns(frame, {"group_by": column}, source)
    needed = {"text_column": text_column}
    if hours_column is not None:
        needed["hours_column"] = hours_column
    check_columns(frame, needed, source)


def _kinds(rows: pd.DataFrame) -> pd.Series:
    """Each row's kind: ``"blank"``, ``"out_of_scope"``, ``"needs_review"`` or ``"confident"``."""
    scored = rows["label"].notna().to_numpy()
    out_of_scope = scored & ~rows["in_scope"].fillna(True).to_numpy(bool)
    review = scored & ~out_of_scope & rows["needs_review"].fillna(False).to_numpy(bool)
    kinds = np.select([~scored, out_of_scope, review], ["blank", "out_of_scope", "needs_review"], "confident")
    return pd.Series(kinds, index=rows.index)


def summarize_portfolio(
    rows: pd.DataFrame,
    text_column: str,
    hours_column: str | None = None,
    group_by: str | Sequence[str] | None = None,
    top_n: int = 5,
    source: str = "the data frame",
    *,
    exclude_review: bool = False,
    exclude_out_of_scope: bool = False,
    model_info: dict[str, object] | None = None,
) -> PortfolioAnalysis:
    """Sum rows scored before (those :func:`analyze_portfolio` returns in ``rows``) into a portfolio.

    The arguments are those of :func:`analyze_portfolio`; ``model_info`` describes
    the model for reports (see :func:`describe_model`).
    """
    if not isinstance(rows, pd.DataFrame):
        raise TypeError(f"summarize_portfolio needs a pandas DataFrame, got {type(rows).__name__}")
    groups = _as_list(group_by)
    _check(rows, text_column, hours_column, groups, source, top_n)
    missing = [column for column in output_columns() if column not in rows.columns]
    if missing:
        raise ColumnNotFoundError(
            f"{source} lacks the column(s) {', '.join(missing)} that scoring adds; pass rows from score_frame"
        )
    rows = rows.reset_index(drop=True)
    kinds = _kinds(rows)
    scored = (kinds != "blank").to_numpy()
    excluded = {"out_of_scope": exclude_out_of_scope, "needs_review": exclude_review, "blank": True}
    included = ~kinds.map(lambda kind: excluded.get(kind, False)).to_numpy(bool)
    measure = "hours" if hours_column is not None else "items"
    weights = checked_hours(rows, hours_column, scored, source) if hours_column is not None else scored.astype(float)

    work = pd.DataFrame(
        {
            "label": rows["label"],
            "_weight": weights,
            "_text": rows[text_column],
            "_confidence": rows["confidence"],
            "_confident": (kinds == "confident").to_numpy(),
            "_in_scope": (kinds != "out_of_scope").to_numpy(),
        }
    )[included]
    for column in groups:
        work[column] = [
            BLANK_GROUP if value is None or (isinstance(value, str) and not value.strip()) or value != value else value
            for value in rows.loc[included, column].tolist()
        ]
    totals = work.groupby("label")["_weight"].sum().reindex(list(LABEL_IDS), fill_value=0.0)
    return PortfolioAnalysis(
        rows=rows,
        measure=measure,
        totals={label: float(value) for label, value in totals.items()},
        overall=label_shares(totals),
        groups={column: _group_table(work, column, measure) for column in groups},
        top_activities=top_activities(work[work["_in_scope"]], totals, measure, top_n),
        scored=int(scored.sum()),
        blank=int((~scored).sum()),
        included=int(included.sum()),
        left_out=_left_out(rows, kinds, weights, hours_column, measure, excluded),
        source=source,
        model_info=dict(model_info or {}),
    )


def _group_table(work: pd.DataFrame, column: str, measure: str) -> pd.DataFrame:
    table = work.pivot_table(index=column, columns="label", values="_weight", aggfunc="sum", fill_value=0.0)
    table = table.reindex(columns=list(LABEL_IDS), fill_value=0.0)
    total = table.sum(axis=1)
    shares = table.div(total.where(total > 0, 1.0), axis=0)
    shares.insert(0, measure, total)
    shares.columns.name = None
    return shares.sort_values(measure, ascending=False, kind="stable")


def _left_out(rows, kinds, weights, hours_column, measure, excluded) -> pd.DataFrame:
    weight = pd.Series(weights, index=rows.index)
    if hours_column is not None:  # blank rows' hours are never checked: count those that are numbers
        blank = (kinds == "blank").to_numpy()
        weight[blank] = pd.to_numeric(rows.loc[blank, hours_column], errors="coerce").fillna(0).clip(lower=0)
    elif len(rows):
        weight[:] = 1.0
    table = pd.DataFrame(
        {
            "rows": [int((kinds == kind).sum()) for kind in LEFT_OUT_KINDS],
            measure: [float(weight[(kinds == kind).to_numpy()].sum()) for kind in LEFT_OUT_KINDS],
            "excluded": [excluded[kind] for kind in LEFT_OUT_KINDS],
        },
        index=list(LEFT_OUT_KINDS),
    )
    table.index.name = "kind"
    return table
