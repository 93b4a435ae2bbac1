"""The shipped default model's outputs: every test that pins what models/default says lives here."""

import copy
import json
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier import analyze_job, load_model, save_model, score_file, score_frame
from classifier.cli import main
from classifier.errors import InvalidValueError
from classifier.labels import LABEL_IDS
from classifier.persistence import default_model_path


def test_default_model_reads_the_codebook_examples(default_model):
    assert default_model.predict(
        [
            "Reset a user's VPN password and unlock the account",
            "Apply the quarterly patch to our in-house claims-processing application",
            "Build a self-service returns flow in the customer mobile app",
        ]
    ) == ["commodity_outsourceable", "ktlo", "business_enabling"]


@settings(max_examples=100, deadline=None)  # each classify runs the encoder: 100 keeps the suite fast
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


# --- the shipped model through the CLI, in scoring, in job analysis and with label priors -------------------------

AD = """About us
Harbourline is a freight company founded in 1962.

Responsibilities:
- Build a self-service booking portal so retail customers can book collections online
- Design a pricing model with the sales team to grow revenue from new lanes
- Reset passwords and unlock accounts for warehouse staff
- Replace broken laptops and printers in the depots
- Patch and fix the in-house warehouse management system

Requirements:
- 5+ years of experience with AWS
"""

TICKETS = [
    "outlook crash every time open calendar please help thanks",
    "printer jammed second floor",
    "reset my password please locked out",
    "new laptop for starter monday",
    "vpn not connecting from home",
    "cannot access shared drive finance folder",
    "timesheet entry cannot be deleted error in our project system",
]


@pytest.fixture(scope="module")
def job(default_model):
    return analyze_job(AD, model=default_model)


def test_predict_with_the_shipped_model_prints_label_confidence_terms_and_flags(capsys):
    texts = ["Reset the VPN password for a locked-out user", "Preheat the oven and fold in the flour", "hi, thanks!"]
    assert main(["predict", *texts, ""]) == 0
    header, *lines = capsys.readouterr().out.strip("\n").splitlines()
    assert header.split() == ["label", "conf", "status", "best", "guess", "top", "terms", "text"]
    rows = [re.split(r"\s{2,}", line) for line in lines]
    label, confidence, flag, guess, terms, text = rows[0]
    assert label == "commodity_outsourceable" and 0.34 < float(confidence) <= 1
    assert flag == "ok" and guess == "-" and terms and text.startswith("Reset")
    # out of scope and blank texts get no label: the model's guess is shown apart
    assert [row[:3] for row in rows[1:]] == [["-", "-", "out of scope"]] * 2 + [["-", "-", "no text"]]
    assert all(re.fullmatch(r"\w+ [01]\.\d\d", row[3]) for row in rows[1:3]) and rows[3][3] == "-"


def test_scored_rows_carry_review_and_scope_flags(default_model):
    frame = pd.DataFrame({"text": ["printer jammed", "Bake sourdough bread for the weekend market", ""]})
    scored = score_frame(frame, model=default_model)
    assert scored["in_scope"].tolist()[:2] == [True, False]
    assert scored["needs_review"].tolist()[1] is True
    assert pd.isna(scored["needs_review"].iloc[2]) and pd.isna(scored["in_scope"].iloc[2])
    everything = score_frame(frame, model=default_model, min_confidence=1.0)
    assert everything["needs_review"].tolist()[:2] == [True, True]


def test_every_activity_of_a_job_ad_gets_its_label_and_confidence(job):
    assert [a.text for a in job.activities] == [
        "Build a self-service booking portal so retail customers can book collections online",
        "Design a pricing model with the sales team to grow revenue from new lanes",
        "Reset passwords and unlock accounts for warehouse staff",
        "Replace broken laptops and printers in the depots",
        "Patch and fix the in-house warehouse management system",
    ]
    assert [a.label for a in job.activities] == [
        "business_enabling",
        "business_enabling",
        "commodity_outsourceable",
        "commodity_outsourceable",
        "ktlo",
    ]
    for activity in job.activities:
        assert activity.confidence == max(activity.probabilities.values())
        assert sum(activity.probabilities.values()) == pytest.approx(1, abs=1e-5)


def test_a_prose_list_of_duties_is_labelled_duty_by_duty(default_model):
    ad = (
        "About the role:\nThis is a hands-on role split between our stores and the digital team. You will be "
        "patching our in-house CRM, resetting passwords for store staff, and building a new customer mobile app."
    )
    job = analyze_job(ad, model=default_model)
    assert [(a.text, a.label) for a in job.activities] == [
        ("You will be patching our in-house CRM", "ktlo"),
        ("resetting passwords for store staff", "commodity_outsourceable"),
        ("building a new customer mobile app.", "business_enabling"),
    ]
    assert [piece.kind for piece in job.set_aside] == ["heading", "role_description"]


def test_job_mix_overall_label_and_high_value(job):
    assert job.mix == pytest.approx({"ktlo": 0.2, "commodity_outsourceable": 0.4, "business_enabling": 0.4})
    assert list(job.mix) == list(LABEL_IDS) and sum(job.mix.values()) == pytest.approx(1)
    assert job.label in ("commodity_outsourceable", "business_enabling")  # a tie, broken by probability mass
    mass = {label: sum(a.probabilities[label] for a in job.activities) for label in LABEL_IDS}
    assert job.label == max(("commodity_outsourceable", "business_enabling"), key=mass.get)
    assert [a.label for a in job.high_value] == ["business_enabling"] * 2
    assert job.high_value[0].confidence >= job.high_value[1].confidence
    assert job.summary().startswith(f"largest share: {job.label} (40%)")


def test_job_has_one_recommendation_per_label_with_its_action(job):
    assert list(job.recommendations) == list(LABEL_IDS)
    assert "invest and grow" in job.recommendations["business_enabling"]
    assert "automate and shrink" in job.recommendations["ktlo"]
    assert "hand off to a provider" in job.recommendations["commodity_outsourceable"]
    assert "Patch and fix the in-house" in job.recommendations["ktlo"]
    assert "(2 of 5 activities)" in job.recommendations["business_enabling"]


def test_activity_weights_change_the_job_mix(default_model):
    job = analyze_job(AD, model=default_model, weights=[10, 10, 0, 0, 20])
    assert job.mix == pytest.approx({"ktlo": 0.5, "commodity_outsourceable": 0.0, "business_enabling": 0.5})
    assert [a.weight for a in job.activities] == [10, 10, 0, 0, 20]


def test_label_priors_shift_predictions_and_survive_a_round_trip(tmp_path, default_model):
    model = copy.deepcopy(default_model)
    priors = model.estimate_label_priors(TICKETS + ["", "  "])
    assert priors["commodity_outsourceable"] > 0.5 and min(priors.values()) > 0.0009
    before = model.predict_proba(TICKETS)
    model.set_label_priors(priors)
    after = model.predict_proba(TICKETS)
    column = list(model.classes_).index("commodity_outsourceable")
    assert (after[:, column] >= before[:, column] - 1e-6).all()  # saturated probabilities round differently
    reloaded = load_model(save_model(model, tmp_path / "shifted"))
    assert np.allclose(reloaded.predict_proba(TICKETS), after)
    assert np.allclose(model.set_label_priors(None).predict_proba(TICKETS), before)
    assert default_model.label_priors_ is None  # the shared fixture was not touched


def test_score_file_with_auto_priors_reports_them_and_leaves_the_model_alone(tmp_path, default_model):
    source = tmp_path / "tickets.csv"
    pd.DataFrame({"text": TICKETS + [""]}).to_csv(source, index=False)
    summary = score_file(source, tmp_path / "out.csv", model=default_model, priors="auto")
    assert summary.label_priors is not None and summary.label_priors["commodity_outsourceable"] > 0.5
    assert default_model.label_priors_ is None
    given = score_frame(pd.DataFrame({"text": TICKETS}), model=default_model, priors=summary.label_priors)
    written = pd.read_csv(tmp_path / "out.csv").iloc[: len(TICKETS)]
    assert np.allclose(given["p_ktlo"], written["p_ktlo"])


def test_cli_scores_a_ticket_export_with_the_ticket_register_mix(tmp_path, capsys, default_model):
    source = tmp_path / "tickets.csv"
    pd.DataFrame({"text": TICKETS}).to_csv(source, index=False)
    assert main(["score", str(source), "-o", str(tmp_path / "out.csv"), "--priors", "ticket"]) == 0
    mix = default_model.register_priors_["ticket"]
    assert f"adjusted to label priors: business_enabling {mix['business_enabling']:.1%}" in capsys.readouterr().out
    assert main(["score", str(source), "-o", str(tmp_path / "x.csv"), "--priors", "tickets"]) == 2
    assert "no such register in this model; registers are: backlog" in capsys.readouterr().err


@pytest.mark.parametrize(("name", "has_encoder"), [("default", True), ("fast", False)], ids=["default", "fast"])
def test_both_shipped_models_load_and_label_the_codebook_example(name, has_encoder):
    model = load_model(name)
    assert (model.encoder_ is not None) is has_encoder
    assert model.predict(["Reset a user's VPN password and unlock the account"]) == ["commodity_outsourceable"]
