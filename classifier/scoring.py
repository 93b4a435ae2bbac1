"""Batch scoring of tables: add a label, a confidence and per-label probabilities to every row.

Rows whose text is missing or blank are kept, with empty prediction columns,
and counted in the returned :class:`ScoreSummary`: they are never given a
guessed label.
"""

from __future__ import annotations

import copy
import os
import sys
import warnings
from collections import Counter
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from classifier.errors import ColumnNotFoundError, InvalidValueError, TextTruncatedWarning
from classifier.labels import LABEL_IDS
from classifier.model import ITWorkClassifier
from classifier.predictions import check_texts, truncation_message
from classifier.progress import InputProgress
from classifier.shares import label_shares
from classifier.tables import TableWriter, atomic_output, check_columns, iter_table, table_format
from classifier.worker_model import one_encoder_thread

__all__ = [
    "score_frame",
    "score_file",
    "ScoreSummary",
    "output_columns",
    "summarize",
    "resolve_model",
    "check_input_columns",
    "EXPLAIN_COLUMN",
]


def output_columns(prefix: str = "") -> list[str]:
    """Names of the columns scoring adds, in order.

    >>> output_columns()
    ['label', 'confidence', 'needs_review', 'in_scope', 'p_ktlo', 'p_commodity_outsourceable', 'p_business_enabling']
    """
    names = ["label", "confidence", "needs_review", "in_scope"] + [f"p_{label}" for label in LABEL_IDS]
    return [prefix + name for name in names]


@dataclass
class ScoreSummary:
    """What a scoring run did: rows read, rows scored, blank rows, and rows per label."""

    rows: int = 0
    scored: int = 0
    blank: int = 0
    label_counts: Counter = field(default_factory=Counter)
    needs_review: int = 0
    out_of_scope: int = 0
    label_priors: dict[str, float] | None = None
    truncated: int = 0

    def shares(self) -> dict[str, float]:
        """Share of scored rows per label, in label order."""
        return label_shares(self.label_counts, total=self.scored)

    def add(self, other: ScoreSummary) -> None:
        self.rows += other.rows
        self.scored += other.scored
        self.blank += other.blank
        self.label_counts.update(other.label_counts)
        self.needs_review += other.needs_review
        self.out_of_scope += other.out_of_scope
        self.truncated += other.truncated


ModelSpec = ITWorkClassifier | str | os.PathLike | None

#: The dtype of the added text columns (label, top terms), whatever a frame holds: pandas' dtype for strings
#: (object before pandas 3, str from 3 on), so that every chunk, partition and empty frame agrees.
TEXT_DTYPE = pd.Series(["text"]).dtype

#: Name of the column ``explain=True`` adds: the terms that pushed each row towards its label.
EXPLAIN_COLUMN = "top_terms"


def resolve_model(model: ModelSpec) -> ITWorkClassifier:
    """The model to score with: None is the shipped default; a str or path names a bundle or a shipped model.

    Scored tables have one probability column per codebook label, so the model must predict exactly those.
    """
    if model is None or isinstance(model, (str, os.PathLike)):
        from classifier.persistence import load_model

        model = load_model(model)
    if not isinstance(model, ITWorkClassifier):
        raise TypeError(
            f"model must be an ITWorkClassifier, a bundle directory, 'default' or 'fast', got {type(model).__name__}"
        )
    classes = getattr(model, "classes_", None)  # an unfitted model raises NotFittedError when it scores
    if classes is not None and sorted(map(str, classes)) != sorted(LABEL_IDS):
        raise InvalidValueError(
            f"scoring tables needs a model of the three labels {', '.join(LABEL_IDS)}; this model predicts "
            f"{', '.join(map(str, classes))}. Use its predict/predict_proba on the texts instead, or train it "
            "with the three labels"
        )
    return model


def score_frame(
    df: pd.DataFrame,
    text_column: str = "text",
    model: ModelSpec = None,
    prefix: str = "",
    min_confidence: float | None = None,
    priors: str | dict[str, float] | None = None,
    explain: bool = False,
) -> pd.DataFrame:
    """Return a copy of ``df`` with the prediction columns added (:func:`output_columns`).

    ``model`` is a fitted :class:`ITWorkClassifier`, a bundle directory, or a
    shipped model's name (``"default"``, ``"fast"``); None is the shipped
    default. Rows whose text is missing or blank keep empty prediction columns.
    ``explain=True`` adds a ``top_terms`` column: the terms that pushed each
    row towards its label, strongest first, separated by ``"; "`` (slower: one
    explanation per row). :func:`score_file` and the Dask and Spark engines
    (:mod:`classifier.dask`, :mod:`classifier.spark`) all score through this function.

    >>> from classifier import ITWorkClassifier
    >>> model = ITWorkClassifier(encoder=None, scope_quantile=None).fit(
    ...     ["reset my password", "replace the broken laptop", "build the customer booking app",
    ...      "launch online ordering for customers", "patch our claims system", "fix the nightly billing batch job"],
    ...     ["commodity_outsourceable"] * 2 + ["business_enabling"] * 2 + ["ktlo"] * 2)
    >>> scored = score_frame(pd.DataFrame({"text": ["reset my password", ""]}), model=model, explain=True)
    >>> scored["label"].tolist()[0], scored["label"].isna().tolist()
    ('commodity_outsourceable', [False, True])
    >>> scored["top_terms"].tolist()[0]
    'password; reset; reset password'
    """
    if isinstance(df, ITWorkClassifier) and isinstance(text_column, pd.DataFrame):
        warnings.warn(
            "score_frame(model, frame) is deprecated; call score_frame(frame, text_column, model=model)",
            DeprecationWarning,
            stacklevel=2,
        )
        df, text_column, model = text_column, "text" if model is None else model, df  # type: ignore[assignment]
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"score_frame needs a pandas DataFrame, got {type(df).__name__}; see read_table")
    check_input_columns(df, text_column, prefix, "the data frame", explain)
    model = resolve_model(model)
    if priors is not None:
        texts = [text for text in df[text_column] if _has_text(text)]
        model, _ = with_priors(model, priors, lambda: texts)
    scored, truncated = _score_rows(df, text_column, model, prefix, min_confidence, explain)
    _warn_truncated(truncated, model)
    return scored


def _score_rows(
    df: pd.DataFrame,
    text_column: str,
    model: ITWorkClassifier,
    prefix: str,
    min_confidence: float | None,
    explain: bool,
) -> tuple[pd.DataFrame, int]:
    """score_frame's work on checked input: the scored frame and how many texts were cut to max_text_chars."""
    texts = df[text_column]
    usable = texts.map(_has_text).to_numpy(bool)
    columns = output_columns(prefix)
    probabilities = np.full((len(df), len(LABEL_IDS)), np.nan)
    labels = np.full(len(df), None, dtype=object)
    needs_review = pd.array(np.full(len(df), pd.NA), dtype="boolean")
    in_scope = pd.array(np.full(len(df), pd.NA), dtype="boolean")
    truncated = 0
    if usable.any():
        # Cut here, without a warning per chunk: callers warn once, with the total (workers' warnings are lost).
        kept = check_texts(texts[usable].tolist(), max_chars=model.max_text_chars, warn=False)
        truncated = sum(len(text) < len(full) for text, full in zip(kept, texts[usable]))
        decided = model.decide(kept, min_confidence=min_confidence)
        order = [list(model.classes_).index(label) for label in LABEL_IDS]
        probabilities[usable] = decided.probabilities[:, order]
        labels[usable] = decided.labels.astype(object)
        needs_review[usable] = decided.needs_review
        in_scope[usable] = decided.in_scope
    result = df.copy()
    result[columns[0]] = pd.Series(labels, index=df.index, dtype=TEXT_DTYPE)
    result[columns[1]] = np.round(np.nanmax(probabilities, axis=1, initial=-1.0, where=~np.isnan(probabilities)), 6)
    result.loc[~usable, columns[1]] = np.nan
    result[columns[2]] = needs_review
    result[columns[3]] = in_scope
    for index, column in enumerate(columns[4:]):
        result[column] = np.round(probabilities[:, index], 6)
    if explain:
        terms = np.full(len(df), None, dtype=object)
        for row in np.flatnonzero(usable):
            terms[row] = "; ".join(term for term, _ in model.decision_terms(texts.iloc[row], labels[row]))
        result[prefix + EXPLAIN_COLUMN] = pd.Series(terms, index=df.index, dtype=TEXT_DTYPE)
    return result, truncated


def _warn_truncated(truncated: int, model: ITWorkClassifier, scored: int | None = None) -> None:
    if truncated and model.max_text_chars is not None:
        message = truncation_message(truncated, model.max_text_chars, scored)
        warnings.warn(message, TextTruncatedWarning, stacklevel=3)


def summarize(scored: pd.DataFrame, prefix: str = "") -> ScoreSummary:
    """What :func:`score_frame` did to a frame it returned: rows, scored and blank rows, labels, review flags."""
    labels = scored[prefix + "label"]
    has_label = labels.notna()
    summary = ScoreSummary(
        rows=len(scored),
        scored=int(has_label.sum()),
        blank=int((~has_label).sum()),
        # == rather than `is`: the flags are missing on blank rows (NA in pandas, None when read back from Parquet)
        needs_review=int((scored[prefix + "needs_review"] == True).sum()),  # noqa: E712
        out_of_scope=int((scored[prefix + "in_scope"] == False).sum()),  # noqa: E712
    )
    summary.label_counts.update(labels[has_label].tolist())
    return summary


def check_input_columns(frame: pd.DataFrame, text_column: str, prefix: str, source: str, explain: bool = False) -> None:
    """Check that ``frame`` has the text column and none of the columns scoring adds (before any scoring)."""
    if not isinstance(text_column, str):
        raise TypeError(f"text_column must be one column name (a str), got {type(text_column).__name__}")
    check_columns(frame, {"text_column": text_column}, source)
    added = output_columns(prefix) + ([prefix + EXPLAIN_COLUMN] if explain else [])
    clashes = [column for column in added if column in frame.columns]
    if clashes:
        raise ColumnNotFoundError(
            f"{source} already has column(s) {', '.join(clashes)}, which scoring would overwrite; "
            "use prefix='pred_' to name the new columns differently"
        )


#: Inputs at least this large are scored by all cores when ``n_jobs`` is None.
PARALLEL_INPUT_BYTES = 64 * 2**20
# On two cores, worker processes scored files only ~15% faster than one process while tripling
# memory (benchmarks/RESULTS.md), so the default goes parallel only with more cores than this.
PARALLEL_MIN_CORES = 3


def _score_item(
    model: ITWorkClassifier, item: tuple[pd.DataFrame, str, str, float | None, bool]
) -> tuple[pd.DataFrame, ScoreSummary]:
    # Runs in a worker process (classifier.parallel), which received the model once.
    frame, text_column, prefix, min_confidence, explain = item
    # The chunks were checked by _checked_chunks and the model resolved by score_file: score the rows.
    scored, truncated = _score_rows(frame, text_column, model, prefix, min_confidence, explain)
    summary = summarize(scored, prefix)
    summary.truncated = truncated
    return scored, summary


PRIOR_SAMPLE_ROWS = 100_000


def with_priors(model: ITWorkClassifier, priors, sample) -> tuple[ITWorkClassifier, dict[str, float]]:
    """A shallow copy of ``model`` with label priors set: given, or estimated on ``sample()``'s texts."""
    if priors == "auto":
        priors = model.estimate_label_priors(sample())
    elif not isinstance(priors, (dict, str)):
        raise InvalidValueError(
            f"priors must be 'auto', a register name such as 'ticket' or a dict of label to share, got {priors!r}"
        )
    adjusted = copy.copy(model).set_label_priors(priors)
    shares = adjusted.label_priors_
    assert shares is not None  # set_label_priors was given a dict or a register name here, never None
    return adjusted, {str(label): float(value) for label, value in zip(adjusted.classes_, shares)}


def _sample_texts(input, text_column: str, chunk_size: int, encoding, prefix: str, source: str) -> list[str]:
    if str(input) == "-":
        raise InvalidValueError(
            "priors='auto' reads the input twice and cannot read standard input twice; "
            "save the input to a file, or give the priors as label=share pairs"
        )
    texts: list[str] = []
    for chunk in _checked_chunks(input, chunk_size, encoding, text_column, prefix, source):
        texts += [text for text in chunk[text_column] if _has_text(text)]
        if len(texts) >= PRIOR_SAMPLE_ROWS:
            break
    return texts[:PRIOR_SAMPLE_ROWS]


def _checked_chunks(
    input, chunk_size: int, encoding, text_column: str, prefix: str, source: str, explain=False, on_read=None
):
    """The input's chunks, the first one checked for the text column and for clashing output columns."""
    for number, chunk in enumerate(iter_table(input, chunk_size, encoding, on_read)):
        if number == 0:
            check_input_columns(chunk, text_column, prefix, source, explain)
        yield chunk


def _has_text(value: object) -> bool:
    """Whether a cell holds text to score (not missing, not blank)."""
    return isinstance(value, str) and not value.isspace() and value != ""


def _default_n_jobs(input: str | os.PathLike) -> int:
    if str(input) == "-":
        return 1
    try:
        large = os.path.getsize(input) >= PARALLEL_INPUT_BYTES
    except OSError:
        return 1  # iter_table reports the missing file
    return -1 if large and (os.cpu_count() or 1) >= PARALLEL_MIN_CORES else 1


def score_file(
    input: str | os.PathLike,
    output: str | os.PathLike,
    model: ModelSpec = None,
    text_column: str = "text",
    chunk_size: int = 20_000,
    overwrite: bool = False,
    prefix: str = "",
    encoding: str | None = None,
    min_confidence: float | None = None,
    n_jobs: int | None = None,
    progress: bool | None = None,
    priors: str | dict[str, float] | None = None,
    explain: bool = False,
    escape_formulas: bool = True,
) -> ScoreSummary:
    """Score every row of ``input`` and write all its columns plus predictions to ``output``.

    Formats follow the extensions (CSV, TSV, JSONL, Parquet, Excel); ``-`` is
    standard input/output as CSV. The input is read and written in chunks of
    ``chunk_size`` rows (Excel files are read whole), and the output goes to a
    temporary file renamed at the end, so a failed run leaves no partial output
    and an earlier one whole.

    ``n_jobs`` worker processes score the chunks (-1: all cores); each gets the
    model once, and only a few chunks are in flight at a time, so memory stays
    bounded whatever the input size. The result, row order included, is the
    same for every ``n_jobs``. None uses all cores for inputs of 64 MiB or
    more on machines with three or more cores, and one process otherwise.
    ``progress`` shows a progress bar on stderr: None shows it when stderr is
    a terminal and the run takes more than a couple of seconds.
    ``needs_review`` marks rows below the model's review threshold (or below
    ``min_confidence`` if given) and out-of-scope rows.

    ``priors`` adjusts the probabilities to the label proportions of this data
    (see :mod:`classifier.priors`): a dict of label to share; the name of a
    register the model knows (``"ticket"``: the label mix of the training
    data's service-desk tickets); or ``"auto"`` to estimate them first from up
    to 100,000 non-blank rows at the start of the input (a second pass, so not
    for standard input). The priors used are in the returned summary.
    ``explain=True`` adds each row's top terms (see :func:`score_frame`).
    A directory or glob of Parquet files is scored by :func:`classifier.datasets.score_dataset`.

    ``escape_formulas`` guards CSV and TSV cells that a spreadsheet would run as formulas
    (see :mod:`classifier.writers`); Excel cells are always written as text.
    """
    from classifier.parallel import effective_n_jobs, ordered_map

    scorer = resolve_model(model)
    source = "standard input" if str(input) == "-" else str(input)
    out_kind = table_format(output)
    summary = ScoreSummary()
    if priors is not None:
        scorer, summary.label_priors = with_priors(
            scorer, priors, lambda: _sample_texts(input, text_column, chunk_size, encoding, prefix, source)
        )
    workers = effective_n_jobs(_default_n_jobs(input) if n_jobs is None else n_jobs)
    if workers > 1 and getattr(scorer, "encoder_", None) is not None:
        scorer = one_encoder_thread(scorer)

    def checked_chunks(on_read):
        for chunk in _checked_chunks(input, chunk_size, encoding, text_column, prefix, source, explain, on_read):
            yield chunk, text_column, prefix, min_confidence, explain

    def run(writer: TableWriter) -> None:
        bar = InputProgress(input, progress)
        results = ordered_map(_score_item, scorer, checked_chunks(bar.on_read), n_workers=workers)
        with closing(results), bar:
            for scored, chunk_summary in results:
                writer.write(scored)
                summary.add(chunk_summary)
                bar.update(chunk_summary.rows)
        writer.close()

    if str(output) == "-":
        run(TableWriter(Path("-"), "csv", stream=sys.stdout, escape_formulas=escape_formulas))
    else:
        with atomic_output(output, overwrite) as temporary:
            run(TableWriter(temporary, out_kind, source=input, escape_formulas=escape_formulas))
    _warn_truncated(summary.truncated, scorer, summary.scored)
    return summary
