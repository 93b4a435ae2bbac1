import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from classifier import load_model
from training.pipeline import TrainConfig, train_model

# Tiny training sets draw these warnings by design; the tests that are about them catch them.
pytestmark = pytest.mark.filterwarnings("ignore:small training set", "ignore:no confidence reached")


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
    with pytest.warns(UserWarning, match="only 1 of your rows: their cross-validated accuracy"):
        result = train_model(path, None, with_default_corpus=True, user_weight=5.0, config=TrainConfig(folds=2))
    assert result.card["training_data"]["rows_used"] > 1000
    assert result.model.predict(["Restart the ZX-9 label printer service on the packing line"]) == ["ktlo"]
    # cross-validation on the user's rows alone, besides all rows
    assert result.user_metrics["n"] == 1 and result.card["cross_validation"]["user_rows"] == result.user_metrics
    assert result.metrics["n"] == result.card["training_data"]["rows_used"]


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


# --- arguments are checked before any work (issue 17 §6) ---------------------------------------------------


@pytest.fixture
def nothing_is_read(monkeypatch):
    import training.pipeline as pipeline

    def must_not_run(*args, **kwargs):
        raise AssertionError("data were read before the arguments were checked")

    monkeypatch.setattr(pipeline, "load_labelled_data", must_not_run)
    monkeypatch.setattr(pipeline, "load_default_corpus", must_not_run)


@pytest.mark.parametrize("folds", [0, 1, -3, 2.5, True], ids=["zero", "one", "negative", "float", "bool"])
def test_bad_folds_are_refused_before_the_data_are_read(tiny_csv, tmp_path, nothing_is_read, folds):
    from classifier.errors import InvalidValueError

    with pytest.raises(InvalidValueError, match=rf"cross-validation needs folds=2 or more, got folds={folds!r}"):
        train_model(tiny_csv, tmp_path / "m", config=TrainConfig(folds=folds))


@pytest.mark.parametrize(
    "weight", [float("nan"), 1e308, float("inf"), 0.0, -1.0, 1001.0], ids=["nan", "1e308", "inf", "zero", "neg", "big"]
)
def test_bad_user_weight_is_refused_before_the_data_are_read(tiny_csv, tmp_path, nothing_is_read, weight):
    from classifier.errors import InvalidValueError

    with pytest.raises(
        InvalidValueError,
        match=r"user weight must be above 0 and at most 1000, got user_weight=.*; use e.g. user_weight=2",
    ):
        train_model(tiny_csv, tmp_path / "m", with_default_corpus=True, user_weight=weight)


def test_user_weight_without_the_corpus_is_refused(tiny_csv, tmp_path, nothing_is_read):
    from classifier.errors import InvalidValueError

    with pytest.raises(InvalidValueError, match=r"user_weight=2.0 weights your rows .* needs with_default_corpus=True"):
        train_model(tiny_csv, tmp_path / "m", user_weight=2.0)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--folds", "0"], "cross-validation needs --folds 2 or more, got --folds 0"),
        (["--with-default-corpus", "--user-weight", "nan"], "got --user-weight nan"),
        (["--with-default-corpus", "--user-weight", "1e308"], "got --user-weight 1e+308"),
        (["--user-weight", "3"], "--user-weight 3.0 weights your rows against the shipped corpus"),
    ],
    ids=["folds-0", "weight-nan", "weight-1e308", "weight-without-corpus"],
)
def test_cli_train_bad_arguments_are_one_line_exit_2(tiny_csv, tmp_path, capsys, nothing_is_read, arguments, message):
    from classifier.cli import main

    assert main(["train", str(tiny_csv), "-o", str(tmp_path / "m"), *arguments]) == 2
    err = capsys.readouterr().err
    assert err.startswith("itwork train: error: ") and err.count("\n") == 1
    assert message in err
    assert not (tmp_path / "m").exists()


# --- small data: warnings, progress, the user's own rows --------------------------------------------------------


def test_small_data_warns_with_the_uncertainty_and_suggests_the_corpus(tiny_csv, tmp_path):
    with pytest.warns(UserWarning) as record:
        result = train_model(tiny_csv, tmp_path / "m", config=TrainConfig(folds=3, model={"encoder": None}))
    messages = [str(warning.message) for warning in record]
    assert any(
        re.match(r"small training set: 21 rows .* uncertain by about ±0\.\d\d .* with_default_corpus=True", m)
        for m in messages
    ), messages
    # a label whose thresholds reached 1.0 (every prediction needs review) is named
    never = [label for label, row in result.model.review_tuning_["per_class"].items() if row["threshold"] >= 1.0]
    assert never, "the tiny set should leave some label without a threshold below 1.0"
    for label in never:
        assert any(m.startswith(f"no confidence reached precision 0.95 for {label}") for m in messages), messages


def test_cli_train_shows_progress_and_the_small_data_warning_on_stderr(tiny_csv, tmp_path, capsys, monkeypatch):
    import sys

    from classifier.cli import main

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)  # progress is for a terminal, as score's bar
    assert main(["train", str(tiny_csv), "-o", str(tmp_path / "m"), "--folds", "3", "--encoder", "none"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("cross-validated (3-fold): accuracy")
    stages = [line for line in captured.err.splitlines() if line.startswith("itwork train: [")]
    assert [line.split("] ")[1].split(" ")[0] for line in stages] == [
        "reading", "21", "fitting:", "cross-validated:", "saving"
    ]  # fmt: skip
    assert "itwork: warning: small training set: 21 rows" in captured.err and "--with-default-corpus" in captured.err
    assert main(["train", str(tiny_csv), "-o", str(tmp_path / "q"), "--folds", "3", "--encoder", "none", "-q"]) == 0
    assert "itwork train: [" not in capsys.readouterr().err
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)  # a log file or a pipe: no progress lines
    assert main(["train", str(tiny_csv), "-o", str(tmp_path / "p"), "--folds", "3", "--encoder", "none"]) == 0
    assert "itwork train: [" not in capsys.readouterr().err


# --- reproducible retraining: versions in the card, warnings, the fingerprint ------------------------------------


def test_card_records_the_versions_that_decide_the_numbers(tiny_csv, tmp_path):
    result = train_model(tiny_csv, tmp_path / "m", config=TrainConfig(folds=3, model={"encoder": None}))
    card = json.loads((result.path / "card.json").read_text())
    packages = card["environment"]["packages"]
    for package in ("numpy", "scipy", "scikit-learn", "spacy", "spacy-lookups-data", "onnxruntime", "tokenizers"):
        assert packages[package][0].isdigit(), (package, packages[package])
    assert card["environment"]["python"].startswith("3.") and card["environment"]["machine"]


def test_train_warns_when_the_environment_differs_from_the_shipped_models(tiny_csv, tmp_path, monkeypatch):
    import training.environment as environment

    shipped = {"environment": {**environment.environment(), "blas": ["openblas 0.0.1 (Nehalem)"]}}
    shipped["environment"]["packages"] = {**shipped["environment"]["packages"], "scipy": "1.14.1"}
    monkeypatch.setattr(environment, "shipped_card", lambda: shipped)
    with pytest.warns(UserWarning) as record:
        train_model(tiny_csv, None, config=TrainConfig(folds=3, model={"encoder": None}))
    messages = [str(warning.message) for warning in record]
    assert any(m.startswith("scipy ") and "the shipped model was trained with scipy 1.14.1" in m for m in messages)
    assert any("pip install scipy==1.14.1" in m for m in messages)
    assert any(m.startswith("BLAS ") and "openblas 0.0.1 (Nehalem)" in m for m in messages)


def test_train_does_not_warn_in_the_shipped_models_environment(tiny_csv, monkeypatch):
    import warnings

    import training.environment as environment

    monkeypatch.setattr(environment, "shipped_card", lambda: {"environment": environment.environment()})
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        train_model(tiny_csv, None, config=TrainConfig(folds=3, model={"encoder": None}))
    assert not [w for w in record if "the shipped model was trained with" in str(w.message)]


@pytest.mark.slow
def test_retraining_a_corpus_subset_reproduces_the_committed_fingerprint():
    """CI's check that training gives the same numbers here as where the shipped models were made.

    On failure: if a library version differs (the message lists them), install the recorded one; after a
    deliberate change to the model, rewrite the file with ``python -m training.fingerprint PATH``.
    """
    from training.environment import environment_differences
    from training.fingerprint import training_fingerprint

    path = Path(__file__).parent / "data" / "training_fingerprint.json"
    expected = json.loads(path.read_text())
    actual = training_fingerprint()
    changed = [name for name in expected["hashes"] if actual["hashes"].get(name) != expected["hashes"][name]]
    assert not changed, (
        f"retraining changed {changed}; environment differences from the fingerprint's: "
        f"{environment_differences(expected) or 'none'}"
    )


@pytest.mark.parametrize("weight", ["2", None], ids=["str", "none"])
def test_a_user_weight_that_is_not_a_number_is_refused(tiny_csv, tmp_path, nothing_is_read, weight):
    from classifier.errors import InvalidValueError

    with pytest.raises(InvalidValueError, match=rf"user weight must be a number, got user_weight={weight!r}"):
        train_model(tiny_csv, tmp_path / "m", with_default_corpus=True, user_weight=weight)
