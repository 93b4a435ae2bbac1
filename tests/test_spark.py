"""classifier.spark: the same values as score_frame for every row, on a local Spark session of two cores."""

from __future__ import annotations

import shutil
import sys

import pandas as pd
import pytest

from classifier import ColumnNotFoundError, InvalidValueError, ModelLoadError, score_frame

pytest.importorskip("pyspark", reason="needs the spark extra: pip install 'it-work-classifier[spark]'")
if shutil.which("java") is None:
    pytest.skip("needs a Java runtime for Spark (.ci/run installs default-jre-headless)", allow_module_level=True)

import classifier.spark  # noqa: E402
import classifier.worker_model  # noqa: E402


@pytest.fixture(scope="module")
def spark():
    import os

    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # the executors' Python is this one
    session = (
        SparkSession.builder.master("local[2]")
        .appName("itwork-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "16")
        .getOrCreate()
    )
    yield session
    session.stop()


@pytest.fixture(scope="module")
def rows(tiny_frame) -> pd.DataFrame:
    frame = pd.concat([tiny_frame[["text"]]] * 3, ignore_index=True)
    frame.insert(0, "id", range(len(frame)))
    frame.loc[[4, 30], "text"] = ["", "   "]
    frame.loc[40, "text"] = None
    return frame


def _same(result: pd.DataFrame, expected: pd.DataFrame) -> None:
    # Spark hands back nullable booleans as objects; the values must be the same
    result = result.sort_values("id").reset_index(drop=True).astype(expected.dtypes.to_dict())
    pd.testing.assert_frame_equal(result, expected)


@pytest.mark.slow  # a JVM and two Python workers that each load the model
@pytest.mark.parametrize("model", ["tiny_bundle", "fitted_model"], ids=["bundle", "object"])
def test_scores_every_row_like_score_frame(spark, rows, model, request):
    model = request.getfixturevalue(model)
    sdf = spark.createDataFrame(rows).repartition(4)
    scored = classifier.spark.score(sdf, model=model, explain=True)
    assert scored.columns == list(score_frame(rows.head(0), model=model, explain=True).columns)
    expected = score_frame(rows, model=model, explain=True)
    _same(scored.toPandas(), expected)
    loads = spark.sparkContext.parallelize(range(4), 2).map(lambda _: classifier.worker_model.loads).collect()
    assert max(loads) <= 1  # the Python workers that scored four partitions loaded the bundle at most once each


@pytest.mark.slow
def test_priors_and_threshold_reach_the_executors(spark, rows, tiny_bundle):
    options = dict(min_confidence=0.9, priors={"ktlo": 0.5, "commodity_outsourceable": 0.3, "business_enabling": 0.2})
    scored = classifier.spark.score(spark.createDataFrame(rows), model=tiny_bundle, prefix="pred_", **options)
    _same(scored.toPandas(), score_frame(rows, model=tiny_bundle, prefix="pred_", **options))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"text_column": "description"}, ColumnNotFoundError, "column 'description' not found in the Spark DataFrame"),
        ({"model": "/nowhere/bundle"}, ModelLoadError, "model directory /nowhere/bundle not found"),
        ({"min_confidence": -1}, InvalidValueError, "min_confidence must be a number from 0 to 1, got -1"),
    ],
    ids=["column", "model", "min-confidence"],
)
def test_bad_input_fails_before_any_task_runs(spark, rows, tiny_bundle, kwargs, error, message):
    sdf = spark.createDataFrame(rows)
    with pytest.raises(error, match=message):
        classifier.spark.score(sdf, **{"model": tiny_bundle, **kwargs})


def test_rejects_a_pandas_frame(rows):
    with pytest.raises(TypeError, match="needs a Spark DataFrame, got DataFrame"):
        classifier.spark.score(rows)


def test_output_schema_adds_the_scoring_columns_after_the_input(rows, fitted_model):
    from pyspark.sql import types

    schema = classifier.spark.output_schema(types.StructType([types.StructField("text", types.StringType())]), "x_")
    assert schema.names == [
        "text",
        *[f"x_{name}" for name in score_frame(rows.head(0), model=fitted_model).columns[2:]],
    ]


@pytest.mark.slow
@pytest.mark.parametrize("shipped", ["fast", "default"])
def test_the_shipped_models_score_on_spark_like_score_frame(spark, rows, shipped):
    scored = classifier.spark.score(spark.createDataFrame(rows.head(12)).repartition(2), model=shipped)
    _same(scored.toPandas(), score_frame(rows.head(12), model=shipped))
