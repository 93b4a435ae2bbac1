import json

import pytest

from classifier import InputTextError, InvalidValueError, analyze_job
from classifier.jobs import label_mix, read_job_text
from classifier.labels import LABEL_IDS

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


@pytest.fixture(scope="module")
def job(fitted_model):
    """The ad analyzed by the tiny model; the shipped model's labels for it are pinned in test_shipped_model.py."""
    return analyze_job(AD, model=fitted_model)


def test_non_activities_are_kept_aside_with_their_kind(job):
    assert [(piece.kind, piece.text) for piece in job.set_aside] == [
        ("heading", "About us"),
        ("company_blurb", "Harbourline is a freight company founded in 1962."),
        ("heading", "Responsibilities:"),
        ("heading", "Requirements:"),
        ("requirement", "5+ years of experience with AWS"),
    ]
    assert job.set_aside_counts() == {"heading": 3, "company_blurb": 1, "requirement": 1}


def test_frame_and_dict(job):
    frame = job.to_frame()
    assert list(frame.columns) == ["line", "text", "label", "confidence", "weight"] + [f"p_{x}" for x in LABEL_IDS]
    assert frame["line"].tolist() == [5, 6, 7, 8, 9]
    data = json.loads(json.dumps(job.to_dict()))
    assert data["label"] == job.label and len(data["activities"]) == 5 and len(data["set_aside"]) == 5


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ([1, 2], r"weights has 2 values but the text holds 5 activities"),
        ([1, 1, -1, 1, 1], r"weight -1 at position 2 is not a finite number >= 0"),
        ([1, 1, float("nan"), 1, 1], r"weight nan at position 2"),
        ([1, 1, "2", 1, 1], r"weight '2' at position 2"),
        ([0, 0, 0, 0, 0], r"all weights are 0"),
    ],
    ids=["length", "negative", "nan", "string", "all-zero"],
)
def test_bad_weights_are_refused(fitted_model, weights, message):
    with pytest.raises(InvalidValueError, match=message):
        analyze_job(AD, model=fitted_model, weights=weights)


def test_empty_job_has_no_label(fitted_model):
    job = analyze_job("Requirements:\n- SQL\n", model=fitted_model)
    assert job.activities == [] and job.label is None and job.high_value == []
    assert job.mix == dict.fromkeys(LABEL_IDS, 0.0)
    assert job.summary() == "no activities found"
    assert [(piece.kind, piece.text) for piece in job.set_aside] == [
        ("heading", "Requirements:"),
        ("requirement", "SQL"),
    ]


def test_the_model_is_called_once_for_all_activities(fitted_model):
    calls = []

    class Counting:
        classes_ = fitted_model.classes_

        def predict_proba(self, texts):
            calls.append(list(texts))
            return fitted_model.predict_proba(texts)

    analyze_job(AD, model=Counting())
    assert len(calls) == 1 and len(calls[0]) == 5


def test_non_str_is_rejected(fitted_model):
    with pytest.raises(TypeError, match="text must be a str, got list"):
        analyze_job(["Patch the servers"], model=fitted_model)


def test_label_mix():
    assert label_mix([]) == dict.fromkeys(LABEL_IDS, 0.0)
    assert label_mix(["ktlo", "business_enabling"]) == {
        "ktlo": 0.5,
        "commodity_outsourceable": 0.0,
        "business_enabling": 0.5,
    }


def test_read_job_text(tmp_path):
    path = tmp_path / "ad.txt"
    path.write_text("\ufeffDuties:\n- Patch servers\n", encoding="utf-8")
    assert read_job_text(str(path)) == "Duties:\n- Patch servers\n"
    assert read_job_text("Patch servers") == "Patch servers"
    with pytest.raises(InputTextError, match=r"file .*missing\.txt not found; check the path"):
        read_job_text(str(tmp_path / "missing.txt"))
    (tmp_path / "latin.txt").write_bytes(b"caf\xe9 duties")
    with pytest.raises(InputTextError, match=r"latin\.txt is not UTF-8 text \(byte 3\)"):
        read_job_text(str(tmp_path / "latin.txt"))


def test_a_table_shares_each_rows_weight_among_its_activities(fitted_model):
    import pandas as pd

    from classifier import analyze_job_table

    log = pd.DataFrame(
        {
            "entry": ["Reset passwords; replace broken laptops", "", "Responsibilities:", "Build the returns app"],
            "hours": ["3", "", "2", "1"],
        }
    )
    job = analyze_job_table(log, "entry", weights_column="hours", model=fitted_model)
    assert [(a.line, a.text, a.weight) for a in job.activities] == [
        (2, "Reset passwords", 1.5),
        (2, "replace broken laptops", 1.5),
        (5, "Build the returns app", 1.0),
    ]
    assert [(piece.line, piece.kind) for piece in job.set_aside] == [(4, "heading")]
    assert job.measure == "hours" and sum(job.mix.values()) == pytest.approx(1)
    unweighted = analyze_job_table(log, "entry", model=fitted_model)
    assert [a.weight for a in unweighted.activities] == [1.0, 1.0, 1.0] and unweighted.measure == "activities"


@pytest.mark.parametrize(
    ("frame", "options", "error", "message"),
    [
        ({"text": ["Patch servers"]}, {"weights_column": "hours"}, "ColumnNotFoundError", r"column 'hours' not found"),
        (
            {"text": ["Patch servers"], "hours": ["-1"]},
            {"weights_column": "hours"},
            "InvalidValueError",
            r"row 2 has '-1'",
        ),
        ({"job": ["Patch servers"]}, {}, "ColumnNotFoundError", r"column 'text' not found in log\.csv"),
    ],
    ids=["missing-weights-column", "negative-hours", "missing-text-column"],
)
def test_table_errors(fitted_model, frame, options, error, message):
    import pandas as pd

    import classifier
    from classifier import analyze_job_table

    with pytest.raises(getattr(classifier, error), match=message):
        analyze_job_table(pd.DataFrame(frame), model=fitted_model, source="log.csv", **options)


def test_a_table_must_be_a_data_frame(fitted_model):
    from classifier import analyze_job_table

    with pytest.raises(TypeError, match="analyze_job_table needs a pandas DataFrame, got list"):
        analyze_job_table([{"text": "Patch servers"}], model=fitted_model)
