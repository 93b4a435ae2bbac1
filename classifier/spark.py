"""Score a Spark DataFrame: :func:`score`, through ``mapInPandas``, with the same columns as ``score_frame``.

Needs the ``spark`` extra (``pip install "it-work-classifier[spark]"``) and a
Java runtime; ``import classifier`` does not import PySpark. The model and the
columns are checked on the driver before any task runs. The model travels once
per executor process: a bundle is loaded from its path, which every executor
must see (a shared filesystem or the same install; see
:mod:`classifier.worker_model`), and a model object is broadcast. Tasks never
carry the model itself.

Example::

    import classifier.spark

    tickets = spark.read.parquet("s3://lake/tickets/")
    scored = classifier.spark.score(tickets, text_column="description", model="/shared/models/tickets")
    scored.write.parquet("s3://lake/tickets_scored/")
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, cast

import pandas as pd

from classifier.errors import InvalidValueError
from classifier.labels import LABEL_IDS
from classifier.model import ITWorkClassifier
from classifier.scoring import EXPLAIN_COLUMN, PRIOR_SAMPLE_ROWS, _has_text, score_frame
from classifier.worker_model import (
    BundleRef,
    one_encoder_thread,
    prepare_engine,
    require_extra,
    worker_model,
)

if TYPE_CHECKING:
    import pyspark.sql

__all__ = ["score", "output_schema"]


def output_schema(input_schema, prefix: str = "", explain: bool = False):
    """The Spark schema of the scored rows: ``input_schema``'s fields, then the columns scoring adds."""
    from pyspark.sql import types

    added = [
        types.StructField(prefix + "label", types.StringType()),
        types.StructField(prefix + "confidence", types.DoubleType()),
        types.StructField(prefix + "needs_review", types.BooleanType()),
        types.StructField(prefix + "in_scope", types.BooleanType()),
    ]
    added += [types.StructField(f"{prefix}p_{label}", types.DoubleType()) for label in LABEL_IDS]
    if explain:
        added.append(types.StructField(prefix + EXPLAIN_COLUMN, types.StringType()))
    return types.StructType(list(input_schema.fields) + added)


def score(
    sdf: pyspark.sql.DataFrame,
    text_column: str = "text",
    model: ITWorkClassifier | str | os.PathLike | None = None,
    prefix: str = "",
    min_confidence: float | None = None,
    priors: str | dict[str, float] | None = None,
    explain: bool = False,
) -> pyspark.sql.DataFrame:
    """``sdf`` with the prediction columns of :func:`classifier.score_frame` added, as a lazy Spark DataFrame.

    ``model`` is a bundle directory (at the same path on every executor), a
    shipped model's name (``"default"``, ``"fast"``; None is the default) or a
    fitted model object (broadcast once). Bad columns, a bad model or bad
    options raise here, before any task runs. ``priors="auto"`` estimates the
    priors once, on the driver, from up to 100,000 texts of ``sdf`` (this reads them).
    Each row gets the values ``score_frame`` gives it; Spark does not promise row order.
    """
    require_extra("pyspark.sql", "spark")
    from pyspark.sql import DataFrame

    if not isinstance(sdf, DataFrame):
        raise TypeError(f"classifier.spark.score needs a Spark DataFrame, got {type(sdf).__name__}")

    def sample() -> list[str]:
        head = cast(pd.DataFrame, sdf.select(text_column).limit(PRIOR_SAMPLE_ROWS).toPandas())
        return [text for text in head[text_column] if _has_text(text)]

    local, ref, options = prepare_engine(
        sdf.columns, "the Spark DataFrame", model, sample, text_column, prefix, min_confidence, priors, explain
    )
    carried: Any = ref if ref is not None else _broadcast(sdf, one_encoder_thread(local))

    def score_batches(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        # Runs in an executor's Python worker: the bundle is loaded once per process, a broadcast read once.
        loaded = worker_model(carried) if isinstance(carried, BundleRef) else carried.value
        for batch in batches:
            yield score_frame(batch, model=loaded, **options)

    return sdf.mapInPandas(score_batches, output_schema(sdf.schema, prefix, explain))


def _broadcast(sdf, model: ITWorkClassifier):
    try:
        context = sdf.sparkSession.sparkContext
    except Exception as error:  # Spark Connect has no SparkContext, hence no broadcast
        raise InvalidValueError(
            "this Spark session cannot broadcast a model object; save it with save_model to a path every "
            "executor sees and pass that path as model="
        ) from error
    return context.broadcast(model)
