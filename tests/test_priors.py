"""Label priors: EM estimate on unlabelled texts, adjustment, and their use in scoring."""

from __future__ import annotations

import copy
import re
import warnings

import numpy as np
import pandas as pd
import pytest

from classifier import ITWorkClassifier, load_model, save_model, score_file
from classifier.cli import main
from classifier.errors import InputTextError, InvalidValueError
from classifier.priors import adjust_to_priors, check_priors, estimate_priors, register_label_mix


def test_em_recovers_the_label_proportions_of_shifted_data():
    rng = np.random.default_rng(0)
    # a calibrated two-class model on balanced training data, scoring data that is 80% class 0
    labels = rng.random(5000) < 0.8
    scores = np.where(labels, rng.normal(1.0, 1.0, 5000), rng.normal(-1.0, 1.0, 5000))
    p0 = 1 / (1 + np.exp(-2 * scores))  # exact posterior of two unit-variance Gaussians at +-1, equal priors
    probabilities = np.column_stack([p0, 1 - p0])
    estimated = estimate_priors(probabilities, np.array([0.5, 0.5]))
    assert estimated[0] == pytest.approx(0.8, abs=0.03)
    naive = probabilities.mean(axis=0)[0]
    assert abs(estimated[0] - 0.8) < abs(naive - 0.8)


def test_adjustment_with_the_training_priors_changes_nothing():
    probabilities = np.array([[0.2, 0.3, 0.5], [0.9, 0.05, 0.05]])
    uniform = np.full(3, 1 / 3)
    assert np.allclose(adjust_to_priors(probabilities, uniform, uniform), probabilities)


@pytest.mark.parametrize(
    ("priors", "message"),
    [
        ({"a": 0.5}, r"missing \['b'\]"),
        ({"a": 0.5, "b": 0.5, "grow": 1}, r"unknown labels \['grow'\]"),
        ({"a": 0.0, "b": 1.0}, r"bad values \{'a': 0.0\}"),
    ],
    ids=["missing", "unknown", "zero"],
)
def test_bad_priors_are_refused(priors, message):
    with pytest.raises(InvalidValueError, match=message):
        check_priors(priors, ["a", "b"])


def test_estimating_from_no_texts_is_refused():
    with pytest.raises(InvalidValueError, match="cannot estimate label priors from no texts"):
        estimate_priors(np.zeros((0, 3)), np.full(3, 1 / 3))


TICKETS = [
    "outlook crash every time open calendar please help thanks",
    "printer jammed second floor",
    "reset my password please locked out",
    "new laptop for starter monday",
    "vpn not connecting from home",
    "cannot access shared drive finance folder",
    "timesheet entry cannot be deleted error in our project system",
]


def test_auto_priors_cannot_read_standard_input_twice(tmp_path, default_model):
    with pytest.raises(InvalidValueError, match="cannot read standard input twice"):
        score_file("-", tmp_path / "out.csv", model=default_model, priors="auto")


def test_cli_priors_given_as_pairs_and_bad_pairs(tmp_path, capsys, tiny_bundle):
    source = tmp_path / "tickets.csv"
    pd.DataFrame({"text": TICKETS}).to_csv(source, index=False)
    shares = "business_enabling=0.01,commodity_outsourceable=0.8,ktlo=0.19"
    assert main(["score", "-m", tiny_bundle, str(source), "-o", str(tmp_path / "out.csv"), "--priors", shares]) == 0
    assert "adjusted to label priors: business_enabling 1.0%" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["score", "-m", tiny_bundle, str(source), "-o", str(tmp_path / "x.csv"), "--priors", "ktlo=lots"])
    assert "expected 'auto', a register such as 'ticket', or LABEL=SHARE pairs" in capsys.readouterr().err
    assert main(["score", "-m", tiny_bundle, str(source), "-o", str(tmp_path / "y.csv"), "--priors", "ktlo=1"]) == 2
    assert "missing ['business_enabling', 'commodity_outsourceable']" in capsys.readouterr().err


# --- label mixes by register (kind of text) ----------------------------------------------------------------------


def test_register_label_mix_is_weighted_smoothed_and_skips_small_or_blank_registers():
    registers = ["ticket"] * 4 + ["story"] * 2 + [None, "  ", float("nan")]
    labels = ["a", "a", "a", "b", "b", "b", "a", "a", "a"]
    weights = [1, 1, 1, 3, 1, 1, 1, 1, 1]
    mix = register_label_mix(registers, labels, ["a", "b"], weights, min_examples=3)
    assert list(mix) == ["ticket"]  # "story" has 2 examples; blank and missing registers are ignored
    assert mix["ticket"] == {"a": 0.5, "b": 0.5}  # a: 3 + 1, b: weight 3 + 1; unweighted it would be 4:2


REGISTERED = [
    ("Reset the password for a user", "commodity_outsourceable", "ticket"),
    ("printer jammed again on floor two", "commodity_outsourceable", "ticket"),
    ("new laptop for the starter", "commodity_outsourceable", "ticket"),
    ("outlook keeps crashing", "commodity_outsourceable", "ticket"),
    ("billing batch failed in our claims system", "ktlo", "ticket"),
    ("timesheet module shows an error on save", "ktlo", "ticket"),
    ("Patch the customised order database", "ktlo", "task"),
    ("Update the runbook for the warehouse application", "ktlo", "task"),
    ("Build a returns flow in the customer app", "business_enabling", "task"),
    ("Design a churn model with marketing", "business_enabling", "task"),
    ("Launch online ordering in a new market", "business_enabling", "task"),
    ("Develop an API so customers can track deliveries", "business_enabling", None),
]


@pytest.fixture(scope="module")
def registered_model():
    texts, labels, registers = zip(*(REGISTERED * 5))  # 30 tickets, 25 tasks: only "ticket" reaches 30
    return ITWorkClassifier(calibration="none", scope_quantile=None).fit(
        list(texts), list(labels), registers=list(registers)
    )


def test_fit_keeps_the_label_mix_of_each_register_with_enough_examples(registered_model):
    mix = registered_model.register_priors_
    assert list(mix) == ["ticket"]
    expected = {"business_enabling": 1 / 33, "commodity_outsourceable": 21 / 33, "ktlo": 11 / 33}  # add-one smoothed
    assert mix["ticket"] == pytest.approx(expected, abs=1e-6)


def test_a_register_name_sets_that_registers_label_mix(registered_model):
    model = copy.copy(registered_model)
    by_name = model.set_label_priors("ticket").predict_proba(["reset password please"])
    by_shares = model.set_label_priors(dict(registered_model.register_priors_["ticket"])).predict_proba(
        ["reset password please"]
    )
    assert np.allclose(by_name, by_shares)
    assert not np.allclose(by_name, model.set_label_priors(None).predict_proba(["reset password please"]))


@pytest.mark.parametrize(
    ("model_name", "register", "message"),
    [
        ("registered", "task", r"no such register in this model; registers are: ticket\. Use one of them"),
        ("unregistered", "ticket", "trained without a register column; give LABEL=SHARE pairs or 'auto'"),
    ],
    ids=["unknown-register", "model-without-registers"],
)
def test_an_unknown_register_name_is_refused(registered_model, fitted_model, model_name, register, message):
    model = copy.copy(registered_model if model_name == "registered" else fitted_model)
    with pytest.raises(InvalidValueError, match=message):
        model.set_label_priors(register)


@pytest.mark.parametrize(
    ("registers", "error", "message"),
    [(["ticket"], InputTextError, "got 12 texts but 1 registers"), ("ticket", TypeError, "not a single str")],
    ids=["wrong-length", "bare-str"],
)
def test_fit_checks_the_registers(registers, error, message):
    texts, labels, _ = zip(*REGISTERED)
    with pytest.raises(error, match=message):
        ITWorkClassifier().fit(list(texts), list(labels), registers=registers)


def test_register_mixes_survive_saving_and_loading(registered_model, tmp_path):
    loaded = load_model(save_model(registered_model, tmp_path / "bundle"))
    assert loaded.register_priors_["ticket"] == pytest.approx(registered_model.register_priors_["ticket"])
    assert np.allclose(
        loaded.set_label_priors("ticket").predict_proba(["patch the database"]),
        copy.copy(registered_model).set_label_priors("ticket").predict_proba(["patch the database"]),
    )


@pytest.mark.parametrize(
    ("priors", "message"),
    [
        ({"a": float("inf"), "b": 1.0}, r"positive, finite number .* bad values \{'a': inf\}"),
        ({"a": float("nan"), "b": 1.0}, r"bad values \{'a': nan\}"),
        ({"a": -1.0, "b": 1.0}, r"bad values \{'a': -1.0\}"),
        ({"a": 0, "b": 0}, r"bad values \{'a': 0, 'b': 0\}"),
    ],
    ids=["infinite", "nan", "negative", "all-zero"],
)
def test_priors_that_are_not_positive_finite_numbers_are_refused(priors, message):
    with pytest.raises(InvalidValueError, match=message):
        check_priors(priors, ["a", "b"])


def test_huge_priors_are_proportions_like_any_others():
    # 1e308 + 1e308 overflowed to inf, and every probability became 1/3 (issue 17)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert check_priors({"a": 1e308, "b": 1e308, "c": 3e307}, ["a", "b", "c"]).round(3).tolist() == [
            0.435,
            0.435,
            0.13,
        ]


def test_a_share_that_makes_a_label_impossible_draws_a_warning():
    with pytest.warns(UserWarning, match=r"label priors give b 1e-308 \(1\.0 given\) of the total, less than 0\.01%"):
        shares = check_priors({"a": 1e308, "b": 1.0}, ["a", "b"])
    assert shares.tolist() == [1.0, 1e-308]


def test_cli_huge_priors_warn_on_one_line_and_keep_probabilities_valid(tmp_path, capsys, tiny_bundle):
    source = tmp_path / "tickets.csv"
    pd.DataFrame({"text": TICKETS}).to_csv(source, index=False)
    shares = "business_enabling=1,commodity_outsourceable=1e308,ktlo=1e308"
    assert main(["score", "-m", tiny_bundle, str(source), "-o", str(tmp_path / "out.csv"), "--priors", shares]) == 0
    err = capsys.readouterr().err
    assert re.fullmatch(r"itwork: warning: label priors give business_enabling 5e-309 \(1\.0 given\) .*\n", err), err
    scored = pd.read_csv(tmp_path / "out.csv")
    assert scored["confidence"].between(0.5, 1).all()
    assert set(scored["label"]) <= {"ktlo", "commodity_outsourceable"}
