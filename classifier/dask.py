"""Score a Dask DataFrame: :func:`score`, lazily, partition by partition, with the same columns as ``score_frame``.

Needs the ``dask`` extra (``pip install "it-work-classifier[dask]"``); ``import
classifier`` does not import Dask. The model and the columns are checked on the
client before any task runs. Each worker process then loads the bundle once,
from the same path (see :mod:`classifier.worker_model`); the tasks carry only
that path and a checksum, never the model.

Example, on a cluster whose workers see the bundle at the same path::

    import dask.dataframe as dd
    import classifier.dask

    tickets = dd.read_parquet("s3://lake/tickets/")
    scored = classifier.dask.score(tickets, text_column="description", model="fast")
    scored.to_parquet("s3://lake/tickets_scored/")
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import pandas as pd

from classifier.model import ITWorkClassifier
from classifier.scoring import PRIOR_SAMPLE_ROWS, _has_text, score_frame
from classifier.worker_model import (
    BundleRef,
    one_encoder_thread,
    prepare_engine,
    require_extra,
    worker_model,
)

if TYPE_CHECKING:
    import dask.dataframe

__all__ = ["score"]


def _score_partition(
    partition: pd.DataFrame, model: BundleRef | ITWorkClassifier, options: dict[str, Any]
) -> pd.DataFrame:
    # Runs on a worker: a BundleRef is loaded once per process; a model object arrives once per worker as a graph key.
    loaded = worker_model(model) if isinstance(model, BundleRef) else model
    return score_frame(partition, model=loaded, **options)


def score(
    ddf: dask.dataframe.DataFrame,
    text_column: str = "text",
    model: ITWorkClassifier | str | os.PathLike | None = None,
    prefix: str = "",
    min_confidence: float | None = None,
    priors: str | dict[str, float] | None = None,
    explain: bool = False,
) -> dask.dataframe.DataFrame:
    """``ddf`` with the prediction columns of :func:`classifier.score_frame` added, as a lazy Dask DataFrame.

    ``model`` is a bundle directory (at the same path on every worker), a
    shipped model's name (``"default"``, ``"fast"``; None is the default) or a
    fitted model object. Bad columns, a bad model or bad options raise here,
    before any task runs. ``priors="auto"`` estimates the priors once, on the
    client, from up to 100,000 texts at the start of ``ddf`` (this reads them).
    The result equals ``score_frame`` on the same rows, row for row.
    """
    require_extra("dask.dataframe", "dask")
    import dask
    import dask.dataframe as dd

    if not isinstance(ddf, dd.DataFrame):
        raise TypeError(f"classifier.dask.score needs a dask DataFrame, got {type(ddf).__name__}")

    def sample() -> list[str]:
        head = ddf[text_column].head(PRIOR_SAMPLE_ROWS, npartitions=-1, compute=True)
        return [text for text in head if _has_text(text)]

    local, ref, options = prepare_engine(
        list(ddf.columns), "the Dask DataFrame", model, sample, text_column, prefix, min_confidence, priors, explain
    )
    meta = score_frame(ddf._meta, model=local, **options)
    carried: Any = ref if ref is not None else dask.delayed(one_encoder_thread(local), pure=True)
    return ddf.map_partitions(_score_partition, carried, options, meta=meta, align_dataframes=False)
