import math

import numpy as np
import pytest
from sklearn.base import clone

from classifier import InputTextError, ITWorkClassifier, NotFittedError
from classifier.errors import InvalidValueError, ParameterError, TextTruncatedWarning
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
    assert terms and set(terms) <= {"password", "reset", "reset password", "account", "lock", "lock account"}
    assert all(weight > 0 for _, weight in prediction.top_terms)


def test_classify_rejects_lists(fitted_model):
    with pytest.raises(TypeError, match="classify takes one str"):
        fitted_model.classify(["a"])


def test_fitting_twice_gives_identical_probabilities(tiny_frame):
    texts, labels = tiny_frame["text"].tolist(), tiny_frame["label"].tolist()
    first = ITWorkClassifier().fit(texts, labels).predict_proba(texts)
    second = ITWorkClassifier().fit(texts, labels).predict_proba(texts)
    np.testing.assert_array_equal(first, second)


def test_set_review_thresholds_rejects_unknown_labels(fitted_model):
    model = clone(fitted_model).fit([t for t, _ in TINY], [label for _, label in TINY])
    with pytest.raises(InvalidValueError, match=r"unknown labels \['grow'\]"):
        model.set_review_thresholds({"grow": 0.5})
    assert model.set_review_thresholds({"ktlo": 0.8}).review_thresholds()["ktlo"] == 0.8


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"calibration": "platt"},
            r"parameter calibration must be one of 'auto', 'none', 'temperature', .*got 'platt'",
        ),
        ({"C": 0}, r"parameter C must be a number in \(0, inf\); got 0"),
        ({"C": "10"}, r"parameter C must be a number in \(0, inf\); got '10'"),
        ({"ngram_range": (1, 3)}, r"parameter ngram_range must be one of \(1, 1\), \(1, 2\), \(2, 2\); got \(1, 3\)"),
        ({"min_df": 0}, r"parameter min_df must be an integer in \[1, inf\); got 0"),
        ({"calibration_folds": 1}, r"parameter calibration_folds must be an integer in \[2, inf\); got 1"),
        ({"review_precision": 1.5}, r"parameter review_precision must be None or a number in \(0, 1\]; got 1.5"),
        ({"scope_quantile": 1}, r"parameter scope_quantile must be None or a number in \[0, 1\); got 1"),
        ({"char_ngram_range": (5, 3)}, r"parameter char_ngram_range must be None or a pair of integers"),
        ({"class_weight": "even"}, r"parameter class_weight must be one of 'balanced', None; got 'even'"),
    ],
    ids=["calibration", "C-zero", "C-str", "ngram-range", "min-df", "folds", "precision", "scope", "char", "weight"],
)
def test_bad_parameters_are_refused_when_fitting(params, message):
    with pytest.raises(ParameterError, match=message):
        ITWorkClassifier(**params).fit([t for t, _ in TINY], [label for _, label in TINY])


def test_init_is_keyword_only():
    with pytest.raises(TypeError):
        ITWorkClassifier((1, 2))  # type: ignore[misc]


@pytest.mark.parametrize(
    "labels",
    [[0, 1, 2], ["a", "b", "c"], [-7, 3, 12]],
    ids=["ints", "strs", "negative-ints"],
)
def test_any_hashable_labels_are_learned_as_given(labels):
    texts = [t for t, _ in TINY]
    mapping = dict(zip(["commodity_outsourceable", "ktlo", "business_enabling"], labels))
    y = [mapping[label] for _, label in TINY]
    model = ITWorkClassifier(scope_quantile=None).fit(texts, y)
    assert sorted(model.classes_.tolist()) == sorted(set(labels))
    assert model.predict(["Reset the password and unlock the account"]) == [mapping["commodity_outsourceable"]]


def test_cross_val_predict_works_with_integer_encoded_labels(tiny_frame):
    from sklearn.model_selection import cross_val_predict

    texts = tiny_frame["text"].tolist()
    names, labels = np.unique(tiny_frame["label"], return_inverse=True)  # 0, 1, 2 in sorted-name order
    model = ITWorkClassifier(calibration="none", review_precision=None, scope_quantile=None)
    probabilities = cross_val_predict(model, texts, labels, cv=3, method="predict_proba")
    assert probabilities.shape == (len(texts), 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-6)
    assert model.fit(texts, labels).classes_.tolist() == [0, 1, 2]
    assert model.predict(["Reset the password and unlock the account"]) == [
        int(np.flatnonzero(names == "commodity_outsourceable")[0])
    ]


@pytest.mark.parametrize(
    ("labels", "message"),
    [(["ktlo", None] * 11, r"labels must not be missing; 11 are, at positions 1 \(None\)"), ("ktlo", "single str")],
    ids=["missing", "bare-str"],
)
def test_bad_labels_are_refused(labels, message):
    with pytest.raises((InputTextError, TypeError), match=message):
        ITWorkClassifier().fit([t for t, _ in TINY] + ["one more"], labels)


def test_explicit_calibration_with_too_few_examples_is_refused():
    texts, labels = [t for t, _ in TINY], [label for _, label in TINY]
    with pytest.raises(InputTextError, match="needs at least 10 examples of every label, the rarest has 7"):
        ITWorkClassifier(calibration="sigmoid", calibration_folds=10).fit(texts, labels)
    model = ITWorkClassifier(calibration_folds=10).fit(texts, labels)  # "auto" falls back to none
    assert model.calibration_method_ == "none"


def test_long_texts_are_cut_to_max_text_chars_in_fit_and_predict(tiny_frame):
    # A single 100 MB cell took 3.4 GB and a 1 GB one raised MemoryError (issue 17).
    texts = tiny_frame["text"].tolist()
    padded = [texts[0] + " printer" * 20_000, *texts[1:]]  # 160,000 more characters: cut at the cap
    with pytest.warns(TextTruncatedWarning, match=r"^1 of 21 texts are longer than max_text_chars=100000 characters"):
        model = ITWorkClassifier(encoder=None, scope_quantile=None).fit(padded, tiny_frame["label"])
    with pytest.warns(TextTruncatedWarning, match=r"^1 of 2 texts are longer than max_text_chars=20 characters"):
        cut = model.set_params(max_text_chars=20).predict_proba(["Reset the password" + " x" * 100, "Reset"])
    assert cut[0].tolist() == model.predict_proba(["Reset the password x"])[0].tolist()
    with pytest.warns(TextTruncatedWarning, match="1 text is longer"):
        assert model.classify("Reset the password" + " x" * 100).text == "Reset the password x"


def test_max_text_chars_must_be_a_positive_whole_number(tiny_frame):
    with pytest.raises(ValueError, match="max_text_chars"):
        ITWorkClassifier(max_text_chars=0).fit(tiny_frame["text"], tiny_frame["label"])
