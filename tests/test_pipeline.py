import json

import numpy as np
import pandas as pd

from classifier import load_model
from training.pipeline import TrainConfig, train_model


def test_same_data_config_and_seed_give_identical_predictions(tiny_csv, tmp_path, tiny_frame):
    config = TrainConfig(folds=2, seed=7)
    first = train_model(tiny_csv, tmp_path / "a", config=config)
    second = train_model(tiny_csv, tmp_path / "b", config=config)
    texts = tiny_frame["text"].tolist() + ["reset vpn token", "new customer portal"]
    np.testing.assert_array_equal(
        load_model(first.path).predict_proba(texts), load_model(second.path).predict_proba(texts)
    )
    assert first.metrics == second.metrics


def test_bundle_card_records_data_hash_counts_and_cv_metrics(tiny_csv, tmp_path):
    result = train_model(tiny_csv, tmp_path / "m", config=TrainConfig(folds=3))
    card = json.loads((result.path / "card.json").read_text())
    source = card["training_data"]["sources"][0]
    assert len(source["sha256"]) == 64 and source["rows"] == 21
    assert card["training_data"]["label_counts"] == {"business_enabling": 7, "commodity_outsourceable": 7, "ktlo": 7}
    metrics = card["cross_validation"]["metrics"]
    assert set(metrics) >= {"accuracy", "macro_f1", "per_class", "confusion_matrix"}
    assert np.sum(metrics["confusion_matrix"]["matrix"]) == 21
    markdown = (result.path / "MODEL_CARD.md").read_text()
    assert "Cross-validated metrics (3-fold" in markdown and "Confusion matrix" in markdown


def test_with_default_corpus_adds_the_corpus_and_user_rows_win(tmp_path):
    path = tmp_path / "mine.csv"
    pd.DataFrame(
        {"text": ["Restart the ZX-9 label printer service on the packing line"] * 1, "label": ["ktlo"]}
    ).to_csv(path, index=False)
    result = train_model(path, None, with_default_corpus=True, user_weight=5.0, config=TrainConfig(folds=2))
    assert result.card["training_data"]["rows_used"] > 1000
    assert result.model.predict(["Restart the ZX-9 label printer service on the packing line"]) == ["ktlo"]


import pytest  # noqa: E402

from classifier import TrainingDataError  # noqa: E402


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("fix the batch job", "ktlo"), ("reset my password", "outsource")], "no examples of business_enabling"),
        (
            [(f"fix batch job number {w}", "ktlo") for w in "abcdefg"],
            "no examples of commodity_outsourceable, business_enabling",
        ),
        (
            [("fix the batch job", "ktlo"), ("reset pwd", "run the business please")],
            "unknown label 'run the business please'",
        ),
    ],
    ids=["two-rows", "single-class", "unknown-label"],
)
def test_untrainable_data_is_refused_and_writes_nothing(tmp_path, rows, message):
    path = tmp_path / "data.csv"
    pd.DataFrame(rows, columns=["text", "label"]).to_csv(path, index=False)
    with pytest.raises(TrainingDataError, match=message):
        train_model(path, tmp_path / "model")
    assert not (tmp_path / "model").exists()


def test_existing_output_is_refused_before_any_training(tiny_csv, tmp_path, monkeypatch):
    import training.pipeline as pipeline
    from classifier import OutputExistsError

    existing = tmp_path / "model"
    existing.mkdir()
    (existing / "keep.txt").write_text("earlier model")

    def must_not_run(*args, **kwargs):
        raise AssertionError("cross-validation ran before the output was checked")

    monkeypatch.setattr(pipeline, "cross_validate", must_not_run)
    with pytest.raises(OutputExistsError, match="already exists; pass overwrite=True"):
        train_model(tiny_csv, existing)
    assert (existing / "keep.txt").read_text() == "earlier model"
