"""Representative activities of a portfolio: per label, the most confident texts, one per text.

Rows with the same text (ignoring case and spacing) are summed into one
activity; rows that need no review come first, then the most confident (to
the two decimals a report shows); among equals the largest, the most
frequent, texts of a readable length, then a fixed pseudo-random order (a
hash of the text), so that the examples are a sample of the equals rather
than the first in the alphabet. Texts that begin alike (the same first four
words: a ticket subject, a template) are shown once.
"""

from __future__ import annotations

import zlib

import pandas as pd

from classifier.labels import LABEL_IDS

__all__ = ["top_activities"]


def top_activities(work: pd.DataFrame, totals: pd.Series, measure: str, top_n: int) -> pd.DataFrame:
    """The ``top_n`` activities of each label in ``work``, in ``LABEL_IDS`` order.

    ``work`` has one row per input row: ``label``, ``_text``, ``_weight`` (hours or 1),
    ``_confidence`` and ``_confident`` (needs no review); ``totals`` is the weight per label.
    Returns ``label``, ``text``, ``measure``, ``rows``, ``confidence`` and ``share_of_label``.
    """
    columns = ["label", "text", measure, "rows", "confidence", "share_of_label"]
    if work.empty:
        return pd.DataFrame(columns=columns)
    work = work.assign(_key=work["_text"].map(lambda text: " ".join(str(text).lower().split())))
    grouped = work.groupby(["label", "_key"], sort=False).agg(
        text=("_text", lambda texts: texts.mode().iloc[0]),
        total=("_weight", "sum"),
        rows=("_weight", "size"),
        confidence=("_confidence", "max"),
        confident=("_confident", "max"),
    )
    grouped = grouped.reset_index().rename(columns={"total": measure})
    grouped["share_of_label"] = grouped[measure] / grouped["label"].map(totals).where(lambda t: t > 0, 1.0)
    grouped["label"] = pd.Categorical(grouped["label"], categories=list(LABEL_IDS), ordered=True)
    # Rows that need no review first, then the most confident (to the two decimals shown); among equals the
    # largest, then the most frequent, then texts of a readable length (near 15 words) before one-word or
    # page-long ones, then a fixed pseudo-random order (a hash of the text), so that the examples are a sample
    # of the equals, not the first in the alphabet.
    grouped["_tier"] = grouped["confidence"].round(2)
    grouped["_length"] = (grouped["_key"].str.count(" ") + 1 - 15).abs()
    grouped["_draw"] = grouped["_key"].map(lambda key: zlib.crc32(key.encode("utf-8")))
    ranked = grouped.sort_values(
        ["label", "confident", "_tier", measure, "rows", "_length", "_draw"],
        ascending=[True, False, False, False, False, True, True],
        kind="stable",
    )
    # Texts that begin alike (the same ticket subject, a template) read as one activity: keep the first.
    ranked = ranked[~_same_start(ranked)]
    top = ranked.groupby("label", sort=False, observed=True).head(top_n).reset_index(drop=True)
    top["label"] = top["label"].astype(str)
    return top[columns]


def _same_start(ranked: pd.DataFrame, words: int = 4) -> pd.Series:
    start = ranked["_key"].map(lambda key: " ".join(key.split()[:words]))
    return pd.Series(pd.MultiIndex.from_arrays([ranked["label"], start]).duplicated(), index=ranked.index)
