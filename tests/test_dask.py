"""classifier.dask: the same rows and columns as score_frame, on a cluster of two worker processes."""

from __future__ import annotations

import pandas as pd
import pytest

from classifier import ColumnNotFoundError, InvalidValueError, ModelLoadError, score_frame

dd = pytest.importorskip("dask.dataframe", reason="needs the dask extra: pip install 'it-work-classifier[dask]'")
distributed = pytest.importorskip("distributed", reason="needs the dask extra: pip install 'it-work-classifier[dask]'")

import classifier.dask  # noqa: E402
import classifier.worker_model  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def plain_strings():
    # dask turns text columns into pyarrow strings by default; keep pandas' own, to compare with score_frame exactly
    import dask

    with dask.config.set({"dataframe.convert-string": False}):
        yield


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, worker_dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.fixture(scope="module")
def rows(tiny_frame) -> pd.DataFrame:
    frame = pd.concat([tiny_frame[["text"]]] * 3, ignore_index=True).assign(id=lambda f: range(len(f)))
    frame.loc[[4, 30], "text"] = ["", "   "]
    frame.loc[40, "text"] = None
    return frame


@pytest.mark.slow  # a cluster of two processes, each loading the model: about a minute here
def test_scores_like_score_frame_row_for_row_and_loads_the_bundle_once_per_worker(client, rows, tiny_bundle):
    client.run(lambda: setattr(classifier.worker_model, "loads", 0))
    scored = classifier.dask.score(dd.from_pandas(rows, npartitions=8), model=tiny_bundle, explain=True)
    assert dict(scored.dtypes) == dict(score_frame(rows.head(0), model=tiny_bundle, explain=True).dtypes)
    result = scored.compute()
    expected = score_frame(rows, model=tiny_bundle, explain=True)
    pd.testing.assert_frame_equal(result, expected)
    assert result["label"].isna().sum() == 3
    loads = client.run(lambda: classifier.worker_model.loads)
    assert sorted(loads.values()) in ([0, 1], [1, 1])  # eight partitions, at most one load per worker process


@pytest.mark.slow
def test_a_model_object_and_options_score_like_score_frame(client, rows, fitted_model):
    options = dict(
        prefix="pred_",
        min_confidence=0.9,
        priors={"ktlo": 0.5, "commodity_outsourceable": 0.3, "business_enabling": 0.2},
    )
    scored = classifier.dask.score(dd.from_pandas(rows, npartitions=3), model=fitted_model, **options)
    pd.testing.assert_frame_equal(scored.compute(), score_frame(rows, model=fitted_model, **options))


@pytest.mark.parametrize("model", ["tiny_bundle", "fitted_model"], ids=["bundle", "object"])
def test_in_one_process_scores_like_score_frame(rows, model, request):
    import dask

    model = request.getfixturevalue(model)
    scored = classifier.dask.score(dd.from_pandas(rows, npartitions=4), model=model, prefix="p_", explain=True)
    with dask.config.set(scheduler="synchronous"):
        pd.testing.assert_frame_equal(scored.compute(), score_frame(rows, model=model, prefix="p_", explain=True))


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"text_column": "description"},
            ColumnNotFoundError,
            "column 'description' not found in the Dask DataFrame; columns are: text, id",
        ),
        ({"model": "/nowhere/bundle"}, ModelLoadError, "model directory /nowhere/bundle not found"),
        ({"min_confidence": 2}, InvalidValueError, "min_confidence must be a number from 0 to 1, got 2"),
        ({"priors": "nonsense"}, InvalidValueError, "nonsense"),
    ],
    ids=["column", "model", "min-confidence", "priors"],
)
def test_bad_input_fails_before_any_task_runs(rows, tiny_bundle, kwargs, error, message):
    ddf = dd.from_pandas(rows, npartitions=2)
    with pytest.raises(error, match=message):
        classifier.dask.score(ddf, **{"model": tiny_bundle, **kwargs})


@pytest.mark.slow
def test_a_worker_with_a_different_bundle_refuses_to_score(client, rows, tiny_bundle, tmp_path):
    import shutil

    copy = shutil.copytree(tiny_bundle, tmp_path / "bundle")
    scored = classifier.dask.score(dd.from_pandas(rows, npartitions=2), model=copy)
    (copy / "card.json").write_text((copy / "card.json").read_text().replace("{", "{ ", 1))
    with pytest.raises(ModelLoadError, match="differs from the one the client checked"):
        scored.compute()


@pytest.mark.parametrize("explain", [False, True], ids=["label", "top-terms"])
def test_refuses_columns_it_would_overwrite(rows, tiny_bundle, explain):
    column = "top_terms" if explain else "label"
    ddf = dd.from_pandas(rows.assign(**{column: "x"}), npartitions=2)
    with pytest.raises(ColumnNotFoundError, match=f"already has column.*{column}.*use prefix='pred_'"):
        classifier.dask.score(ddf, model=tiny_bundle, explain=explain)


def test_rejects_a_pandas_frame(rows):
    with pytest.raises(TypeError, match="needs a dask DataFrame, got DataFrame"):
        classifier.dask.score(rows)


@pytest.mark.slow
@pytest.mark.parametrize("shipped", ["fast", "default"])
def test_the_shipped_models_score_on_the_cluster_like_score_frame(client, rows, shipped):
    scored = classifier.dask.score(dd.from_pandas(rows.head(12), npartitions=3), model=shipped)
    pd.testing.assert_frame_equal(scored.compute(), score_frame(rows.head(12), model=shipped))


@pytest.mark.slow
def test_score_dataset_runs_on_a_given_scheduler(client, rows, tiny_bundle, tmp_path):
    from classifier.datasets import score_dataset

    (tmp_path / "in").mkdir()
    rows.iloc[:30].to_parquet(tmp_path / "in" / "a.parquet", index=False)
    rows.iloc[30:].to_parquet(tmp_path / "in" / "b.parquet", index=False)
    summary = score_dataset(
        tmp_path / "in", tmp_path / "out", model=tiny_bundle, engine="dask", scheduler=client.scheduler.address
    )
    written = pd.concat([pd.read_parquet(part) for part in sorted((tmp_path / "out").glob("*.parquet"))])
    assert (summary.rows, summary.blank, len(written)) == (len(rows), 3, len(rows))
    assert client.status == "running"  # the caller's cluster is left running
