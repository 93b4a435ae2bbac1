"""Tuning a bundle's review thresholds on labelled data."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from classifier import load_model, save_model
from classifier.cli import main
from classifier.errors import InvalidValueError
from training.tuning import tune_bundle_thresholds

LABELLED = [
    ("Reset the password for the finance intern", "commodity_outsourceable"),
    ("Replace the cracked laptop screen", "commodity_outsourceable"),
    ("Install the scanner driver on reception PC", "commodity_outsourceable"),
    ("Fix the failed overnight job in our in-house billing system", "ktlo"),
    ("Update the runbook for the legacy stock database", "ktlo"),
    ("Launch a subscription checkout for customers in the app", "business_enabling"),
    ("Build a partner API to sell through new resellers", "business_enabling"),
    ("Prepare the monthly IT status report", "ktlo"),
    ("Unlock the locked-out account of the site manager", "commodity_outsourceable"),
    ("Design a loyalty scheme in the web shop with marketing", "business_enabling"),
]


@pytest.fixture
def bundle(tmp_path, fitted_model):
    return save_model(fitted_model, tmp_path / "bundle")


@pytest.fixture
def labelled_csv(tmp_path):
    path = tmp_path / "holdout.csv"
    pd.DataFrame(LABELLED, columns=["text", "label"]).to_csv(path, index=False)
    return path


@pytest.mark.filterwarnings("ignore:.*rests on too few")
def test_tuned_thresholds_are_stored_in_the_bundle(bundle, labelled_csv):
    tuning, path = tune_bundle_thresholds(bundle, labelled_csv, precision=0.8)
    assert path == bundle
    reloaded = load_model(bundle)
    assert reloaded.review_thresholds() == tuning.thresholds
    card = json.loads((bundle / "card.json").read_text())
    assert card["review"]["precision_target"] == 0.8
    assert card["review"]["tuned_on"]["rows"] == len(LABELLED)
    assert tuning.precision >= 0.8


def test_the_default_model_is_not_changed_in_place(labelled_csv):
    with pytest.raises(InvalidValueError, match="not changed in place; give an output directory"):
        tune_bundle_thresholds(None, labelled_csv)


def test_cli_tune_threshold_reports_coverage_per_label(tmp_path, labelled_csv, capsys, tiny_bundle):
    output = tmp_path / "tuned"
    assert main(["tune-threshold", tiny_bundle, str(labelled_csv), "--precision", "0.8", "-o", str(output)]) == 0
    out = capsys.readouterr().out
    assert "coverage" in out and "business_enabling" in out and f"saved in {output}" in out
    assert load_model(output).review_thresholds()


def test_cli_tune_threshold_bad_precision_is_a_usage_error(labelled_csv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["tune-threshold", "default", str(labelled_csv), "--precision", "90"])
    assert exit_info.value.code == 2
    assert "expected a number from 0 to 1, got '90'" in capsys.readouterr().err


@pytest.mark.parametrize("rows", [1, 9], ids=["one-row", "nine-rows"])
def test_too_few_rows_are_refused_before_the_model_is_loaded(tmp_path, monkeypatch, rows):
    import training.tuning as tuning

    def must_not_run(*args, **kwargs):
        raise AssertionError("the model was loaded before the rows were counted")

    monkeypatch.setattr(tuning, "load_model", must_not_run)
    path = tmp_path / "few.csv"
    pd.DataFrame(LABELLED[:rows], columns=["text", "label"]).to_csv(path, index=False)
    with pytest.raises(
        InvalidValueError, match=rf"few.csv: {rows} labelled rows?; tuning review thresholds needs at least 10"
    ):
        tune_bundle_thresholds("default", path, output=tmp_path / "tuned")
    assert not (tmp_path / "tuned").exists()


def test_cli_tune_threshold_on_one_row_is_one_line_exit_2(tmp_path, capsys, tiny_bundle):
    path = tmp_path / "one.csv"
    pd.DataFrame(LABELLED[:1], columns=["text", "label"]).to_csv(path, index=False)
    assert main(["tune-threshold", "-m", tiny_bundle, str(path), "-o", str(tmp_path / "tuned")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("itwork tune-threshold: error: ") and err.count("\n") == 1
    assert "1 labelled row; tuning review thresholds needs at least 10" in err


def test_labels_predicted_too_rarely_are_warned_about(bundle, labelled_csv):
    with pytest.warns(UserWarning, match=r"was predicted for \d of the 10 rows: its threshold .* rests on too few"):
        tune_bundle_thresholds(bundle, labelled_csv, precision=0.8)
