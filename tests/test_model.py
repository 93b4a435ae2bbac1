import math

import numpy as np
import pytest
from sklearn.base import clone

from classifier import InputTextError, ITWorkClassifier, NotFittedError
from tests.conftest import TINY


def test_fit_returns_self_and_sets_classes(tiny_frame):
    model = ITWorkClassifier()
    assert model.fit(tiny_frame["text"].tolist(), tiny_frame["label"].tolist()) is model
    assert list(model.classes_) == ["business_enabling", "commodity_outsourceable", "ktlo"]


def test_init_only_stores_parameters_and_clone_works():
    model = ITWorkClassifier(C=3.0, ngram_range=(1, 3))
    assert not hasattr(model, "pipeline_")
    assert clone(model).get_params()["C"] == 3.0


def test_predict_proba_shape_order_and_sum(fitted_model):
    probabilities = fitted_model.predict_proba(["reset my password", "new customer app feature"])
    assert probabilities.shape == (2, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-6)
    assert fitted_model.predict(["reset my password"]) == [fitted_model.classes_[probabilities[0].argmax()]]


def test_predict_learns_the_tiny_set(fitted_model, tiny_frame):
    predicted = fitted_model.predict(tiny_frame["text"])
    assert np.mean(np.asarray(predicted) == tiny_frame["label"].to_numpy()) > 0.9


def test_predict_before_fit_raises():
    with pytest.raises(NotFittedError, match="not fitted yet; call fit"):
        ITWorkClassifier().predict(["text"])


def test_bare_string_is_rejected(fitted_model):
    with pytest.raises(TypeError, match="got a single str; wrap it in a list"):
        fitted_model.predict("reset my password")


@pytest.mark.parametrize(
    ("texts", "positions"),
    [(["ok", None], r"positions 1 \(None\)"), ([math.nan, "ok", 3], r"positions 0 \(nan\), 2 \(3\)")],
    ids=["none", "nan-and-int"],
)
def test_non_strings_are_rejected_with_positions(fitted_model, texts, positions):
    with pytest.raises(InputTextError, match=positions):
        fitted_model.predict(texts)


def test_empty_text_gets_base_rates_and_is_flagged(fitted_model):
    prediction = fitted_model.classify("   ")
    assert prediction.has_text is False and prediction.top_terms == []
    assert prediction.probabilities == pytest.approx(
        dict(zip(fitted_model.classes_, fitted_model.predict_proba([""])[0]))
    )


def test_fit_rejects_texts_without_words(tiny_frame):
    texts = tiny_frame["text"].tolist() + ["  !! "]
    labels = tiny_frame["label"].tolist() + ["ktlo"]
    with pytest.raises(InputTextError, match="no usable words, at positions 21"):
        ITWorkClassifier().fit(texts, labels)


def test_fit_rejects_single_class():
    with pytest.raises(InputTextError, match="at least two different labels"):
        ITWorkClassifier().fit(["a task", "another task"], ["ktlo", "ktlo"])


def test_fit_rejects_length_mismatch():
    with pytest.raises(InputTextError, match="got 2 texts but 1 labels"):
        ITWorkClassifier().fit(["a task", "another"], ["ktlo"])


def test_classify_explains_with_top_terms(fitted_model):
    prediction = fitted_model.classify("Reset the password for the locked account")
    assert prediction.label == "commodity_outsourceable"
    assert prediction.confidence == max(prediction.probabilities.values())
    terms = [term for term, _ in prediction.top_terms]
    assert "password" in terms or "reset" in terms
    assert all(weight > 0 for _, weight in prediction.top_terms)


def test_classify_rejects_lists(fitted_model):
    with pytest.raises(TypeError, match="classify takes one str"):
        fitted_model.classify(["a"])


def test_fitting_twice_gives_identical_probabilities(tiny_frame):
    texts, labels = tiny_frame["text"].tolist(), tiny_frame["label"].tolist()
    first = ITWorkClassifier().fit(texts, labels).predict_proba(texts)
    second = ITWorkClassifier().fit(texts, labels).predict_proba(texts)
    np.testing.assert_array_equal(first, second)


def test_default_model_reads_the_codebook_examples(default_model):
    assert default_model.predict(
        [
            "Reset a user's VPN password and unlock the account",
            "Apply the quarterly patch to our in-house claims-processing application",
            "Build a self-service returns flow in the customer mobile app",
        ]
    ) == ["commodity_outsourceable", "ktlo", "business_enabling"]


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


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
    assert default_model.predict(["reset pass\ud800word \x00\x07 for user"])[0] in default_model.classes_


def test_default_model_is_calibrated_and_carries_review_thresholds(default_model):
    assert default_model.calibration_method_ in ("none", "temperature", "sigmoid", "isotonic")
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
    assert lenient.needs_review.tolist() == [False, False] or not lenient.in_scope.all()
    with pytest.raises(InputTextError, match="min_confidence must be a number from 0 to 1, got 2"):
        default_model.decide(texts, min_confidence=2)


def test_set_review_thresholds_rejects_unknown_labels(fitted_model):
    model = clone(fitted_model).fit([t for t, _ in TINY], [label for _, label in TINY])
    with pytest.raises(InputTextError, match=r"unknown labels \['grow'\]"):
        model.set_review_thresholds({"grow": 0.5})
    assert model.set_review_thresholds({"ktlo": 0.8}).review_thresholds()["ktlo"] == 0.8


def test_unknown_calibration_is_refused():
    with pytest.raises(InputTextError, match="calibration must be one of auto, none, temperature"):
        ITWorkClassifier(calibration="platt").fit([t for t, _ in TINY], [label for _, label in TINY])


def test_explicit_calibration_with_too_few_examples_is_refused():
    texts, labels = [t for t, _ in TINY], [label for _, label in TINY]
    with pytest.raises(InputTextError, match="needs at least 10 examples of every label, the rarest has 7"):
        ITWorkClassifier(calibration="sigmoid", calibration_folds=10).fit(texts, labels)
    model = ITWorkClassifier(calibration_folds=10).fit(texts, labels)  # "auto" falls back to none
    assert model.calibration_method_ == "none"
