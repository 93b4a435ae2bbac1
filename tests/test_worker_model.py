"""classifier.worker_model: the client's check of a model, the reference workers load, the missing-extra message."""

from __future__ import annotations

import sys

import pandas as pd
import pytest

from classifier import MissingExtraError, ModelLoadError
from classifier.worker_model import BundleRef, prepare, require_extra, worker_model


def test_prepare_gives_a_small_reference_to_a_bundle_and_none_for_an_object(tiny_bundle, fitted_model):
    import pickle

    local, reference = prepare(tiny_bundle)
    assert reference is not None and reference.location == tiny_bundle and len(reference.digest) == 64
    assert len(pickle.dumps(reference)) < 300  # what each task carries instead of the model
    assert local.classes_.tolist() == fitted_model.classes_.tolist()
    assert prepare(fitted_model) == (fitted_model, None)
    assert prepare("fast")[1].location == "fast"


def test_worker_model_loads_once_per_process(tiny_bundle):
    import classifier.worker_model as module

    reference = prepare(tiny_bundle)[1]
    before = module.loads
    assert worker_model(reference) is worker_model(reference)
    assert module.loads - before <= 1


def test_a_reference_to_a_changed_bundle_is_refused(tmp_path):
    with pytest.raises(ModelLoadError, match="is missing or differs from the one the client checked"):
        worker_model(BundleRef(str(tmp_path), "0" * 64))


def test_prepare_rejects_other_types():
    with pytest.raises(TypeError, match="model must be an ITWorkClassifier, a bundle directory.*got int"):
        prepare(3)


@pytest.mark.parametrize(
    ("module", "extra", "call"),
    [
        ("dask.dataframe", "dask", lambda: __import__("classifier.dask").dask.score(pd.DataFrame())),
        ("pyspark.sql", "spark", lambda: __import__("classifier.spark").spark.score(pd.DataFrame())),
    ],
    ids=["dask", "spark"],
)
def test_an_engine_without_its_extra_says_what_to_install(monkeypatch, module, extra, call):
    monkeypatch.setitem(sys.modules, module, None)  # as if not installed
    with pytest.raises(
        MissingExtraError, match=rf'needs the {extra} extra.*pip install "it-work-classifier\[{extra}\]"'
    ):
        call()
    with pytest.raises(ModuleNotFoundError):
        require_extra(module, extra)
