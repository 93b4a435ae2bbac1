"""The shipped default model's outputs: every test that pins what models/default says lives here."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier.errors import InvalidValueError
from classifier.persistence import default_model_path


def test_default_model_reads_the_codebook_examples(default_model):
    assert default_model.predict(
        [
            "Reset a user's VPN password and unlock the account",
            "Apply the quarterly patch to our in-house claims-processing application",
            "Build a self-service returns flow in the customer mobile app",
        ]
    ) == ["commodity_outsourceable", "ktlo", "business_enabling"]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_unicode_string_gets_a_valid_label(default_model, text):
    prediction = default_model.classify(text)
    assert prediction.label in default_model.classes_
    assert sum(prediction.probabilities.values()) == pytest.approx(1.0, abs=1e-6)
    [label] = default_model.predict([text])
    assert label == prediction.label
    assert default_model.predict_proba([text]).sum() == pytest.approx(1.0, abs=1e-6)


def test_a_single_10_mb_text_is_scored(default_model):
    text = "Patch the in-house claims application and rerun the failed batch. " * 160_000
    assert len(text) > 10_000_000
    assert default_model.predict([text]) == ["ktlo"]


def test_lone_surrogates_and_control_characters(default_model):
    assert default_model.predict(["reset pass\ud800word \x00\x07 for user"]) == ["commodity_outsourceable"]


def test_default_model_is_calibrated_and_carries_review_thresholds(default_model):
    assert default_model.calibration_method_ == "temperature"
    report = default_model.calibration_report_
    chosen = default_model.calibration_method_
    assert report[chosen]["log_loss"] == min(row["log_loss"] for row in report.values())
    assert set(default_model.review_thresholds()) == {str(c) for c in default_model.classes_}


@pytest.mark.parametrize(
    "text",
    ["Preheat the oven and fold the flour into the butter", "lorem ipsum dolor sit amet, consectetur adipiscing"],
    ids=["recipe", "lorem-ipsum"],
)
def test_text_with_no_it_work_is_out_of_scope_and_needs_review(default_model, text):
    prediction = default_model.classify(text)
    assert prediction.in_scope is False
    assert prediction.needs_review is True


def test_min_confidence_overrides_the_thresholds(default_model):
    texts = ["Reset my VPN password", "Look into the thing from yesterday"]
    strict = default_model.decide(texts, min_confidence=1.0)
    lenient = default_model.decide(texts, min_confidence=0.0)
    assert strict.needs_review.tolist() == [True, True]
    assert lenient.needs_review.tolist() == (~lenient.in_scope).tolist()  # only out-of-scope texts
    with pytest.raises(InvalidValueError, match="min_confidence must be a number from 0 to 1, got 2"):
        default_model.decide(texts, min_confidence=2)


def test_default_model_is_shipped_with_a_card():
    card = json.loads((default_model_path() / "card.json").read_text())
    assert card["cross_validation"]["metrics"]["macro_f1"] > 0.5
    assert card["training_data"]["sources"][0]["path"] == "training/data/corpus.csv"


def test_default_model_keeps_the_label_mix_of_each_corpus_register(default_model):
    mixes = default_model.register_priors_
    assert {"ticket", "task_statement", "backlog"} <= set(mixes)
    assert mixes["ticket"]["business_enabling"] < 0.05 < mixes["backlog"]["business_enabling"]
    card = (default_model_path() / "MODEL_CARD.md").read_text()
    assert "## Label mix by register" in card and "| ticket |" in card
