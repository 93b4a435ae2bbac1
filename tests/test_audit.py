"""Label audit: planted label flips are found near the top of the ranking."""

from __future__ import annotations

import pandas as pd
import pytest

from classifier.cli import main
from training.audit import AUDIT_COLUMNS, audit_file, find_label_issues
from training.data import default_corpus_path
from training.pipeline import TrainConfig

FLIPS = {
    "commodity_outsourceable": "business_enabling",
    "business_enabling": "ktlo",
    "ktlo": "commodity_outsourceable",
}
# Confident learning is tested on the n-gram model: the semantic part adds nothing to the logic and minutes of encoding.
NGRAM = TrainConfig(model={"encoder": None})


@pytest.fixture(scope="module")
def sample_with_flips() -> tuple[pd.DataFrame, list[int]]:
    corpus = pd.read_csv(default_corpus_path(), keep_default_na=False)
    sample = corpus.groupby("label", group_keys=False).sample(n=300, random_state=1).reset_index(drop=True)
    sample["row"] = range(2, len(sample) + 2)
    # Flip six clear examples: formal task statements that name their label's typical work.
    clear = {
        "commodity_outsourceable": r"password|printer|laptop",
        "business_enabling": r"customer|revenue",
        "ktlo": r"in-house|legacy",
    }
    flipped = []
    for label, pattern in clear.items():
        chosen = (sample["label"] == label) & (sample["register"] == "task_statement")
        rows = sample.index[chosen & sample["text"].str.contains(pattern, case=False)][:2]
        sample.loc[rows, "label"] = FLIPS[label]
        flipped += [int(sample.loc[row, "row"]) for row in rows]
    assert len(flipped) == 6
    return sample[["text", "label", "row"]], flipped


def test_planted_label_flips_are_found_in_the_top_ranks(sample_with_flips):
    sample, flipped = sample_with_flips
    issues = find_label_issues(sample, NGRAM)
    top = issues["row"].head(20).tolist()
    found = [row for row in flipped if row in top]
    assert len(found) >= 5, f"planted flips {flipped}, top 20 rows {top}"
    for row in found:
        hit = issues[issues["row"] == row].iloc[0]
        original = sample.loc[sample["row"] == row, "label"].iloc[0]
        assert hit["given_label"] == original
        assert hit["suggested_label"] != original


def test_audit_ranks_most_suspicious_first_and_is_reproducible(sample_with_flips):
    sample, _ = sample_with_flips
    first, second = find_label_issues(sample, NGRAM), find_label_issues(sample, NGRAM)
    pd.testing.assert_frame_equal(first, second)
    assert list(first.columns) == AUDIT_COLUMNS
    assert first["score"].is_monotonic_increasing
    assert (first["suggested_probability"] > first["score"]).all()


def test_audit_file_writes_csv_and_refuses_to_overwrite(tmp_path, tiny_csv):
    output = tmp_path / "audit.csv"
    issues = audit_file(tiny_csv, output)
    assert list(pd.read_csv(output).columns) == AUDIT_COLUMNS
    assert len(pd.read_csv(output)) == len(issues)
    with pytest.raises(FileExistsError, match="already exists; pass overwrite=True"):
        audit_file(tiny_csv, output)


def test_cli_audit_prints_and_writes(tmp_path, tiny_csv, capsys):
    output = tmp_path / "issues.csv"
    assert main(["audit", str(tiny_csv), "-o", str(output), "--top", "2"]) == 0
    out = capsys.readouterr().out
    assert "rows whose label looks wrong" in out
    assert output.is_file()


def test_cli_audit_missing_label_column_is_one_line_exit_2(tiny_csv, capsys):
    assert main(["audit", str(tiny_csv), "--label-column", "category"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("itwork audit: error:") and "category" in err and len(err.strip().splitlines()) == 1


def test_audit_output_carries_the_input_id_columns(tmp_path, tiny_frame):
    path = tmp_path / "with_ids.csv"
    tiny_frame.assign(ticket_id=[f"T{n}" for n in range(21)]).to_csv(path, index=False)
    issues = audit_file(path, tmp_path / "out.csv", config=TrainConfig(folds=3, model={"encoder": None}))
    assert list(issues.columns) == ["ticket_id", *AUDIT_COLUMNS]
    assert list(pd.read_csv(tmp_path / "out.csv").columns) == ["ticket_id", *AUDIT_COLUMNS]
    for row in issues.itertuples():  # each id is the one on the row it names
        assert row.ticket_id == f"T{row.row - 2}"


def test_audit_with_a_model_scores_without_fitting_and_needs_no_label_of_each_kind(tmp_path, tiny_bundle, monkeypatch):
    import training.audit as audit

    def must_not_run(*args, **kwargs):
        raise AssertionError("audit fitted models although a model was given")

    monkeypatch.setattr(audit, "out_of_fold_probabilities", must_not_run)
    path = tmp_path / "two_labels.csv"
    rows = [("Reset the password for the new clerk", "business_enabling"), ("Fix the in-house billing batch", "ktlo")]
    pd.DataFrame(rows, columns=["text", "label"]).to_csv(path, index=False)
    issues = audit_file(path, model_path=tiny_bundle)
    assert issues["row"].tolist() == [2] and issues["suggested_label"].tolist() == ["commodity_outsourceable"]


def test_audit_with_the_default_corpus_fits_each_fold_on_it_and_audits_only_the_users_rows(tmp_path, monkeypatch):
    import training.audit as audit
    from tests.conftest import TINY

    corpus = pd.DataFrame(TINY, columns=["text", "label"]).assign(row=range(2, 23))
    monkeypatch.setattr(audit, "load_default_corpus", lambda: corpus)
    path = tmp_path / "mine.csv"
    mine = [
        ("Reset the password and unlock the account for the warehouse manager", "business_enabling"),
        ("Replace the jammed printer on floor three", "commodity_outsourceable"),
        ("Install Office on the new sales laptops", "commodity_outsourceable"),
    ]
    pd.DataFrame(mine, columns=["text", "label"]).to_csv(path, index=False)  # too few to audit alone
    issues = audit_file(path, with_default_corpus=True, config=TrainConfig(folds=3, model={"encoder": None}))
    assert set(issues["row"]) <= {2, 3, 4} and 2 in set(issues["row"])
    assert issues.loc[issues["row"] == 2, "suggested_label"].item() == "commodity_outsourceable"


def test_cli_audit_accepts_with_default_corpus_and_refuses_it_with_model(tiny_csv, capsys, tiny_bundle):
    assert main(["audit", str(tiny_csv), "--with-default-corpus", "-m", tiny_bundle]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"give --model {tiny_bundle} or --with-default-corpus, not both" in err


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--folds", "1"], "cross-validation needs --folds 2 or more, got --folds 1"),
        (["--top", "-1"], "top must be a whole number of at least 0, got --top -1"),
    ],
    ids=["folds-1", "top-negative"],
)
def test_cli_audit_bad_arguments_fail_before_any_work(tiny_csv, capsys, monkeypatch, arguments, message):
    import training.audit as audit

    def must_not_run(*args, **kwargs):
        raise AssertionError("data were read before the arguments were checked")

    monkeypatch.setattr(audit, "load_labelled_data", must_not_run)
    assert main(["audit", str(tiny_csv), *arguments]) == 2
    err = capsys.readouterr().err
    assert err.startswith("itwork audit: error: ") and err.count("\n") == 1 and message in err


def test_audit_with_the_corpus_needs_a_row_per_fold(tmp_path, monkeypatch, tiny_frame):
    import training.audit as audit
    from classifier import TrainingDataError

    monkeypatch.setattr(audit, "load_default_corpus", lambda: tiny_frame.assign(row=range(2, 23)))
    path = tmp_path / "two.csv"
    pd.DataFrame([("Reset a password", "ktlo"), ("Fix the printer", "ktlo")], columns=["text", "label"]).to_csv(
        path, index=False
    )
    with pytest.raises(TrainingDataError, match="auditing in 3 folds needs at least 3 rows, got 2"):
        audit_file(path, with_default_corpus=True, config=TrainConfig(folds=3, model={"encoder": None}))


def test_a_model_without_a_given_label_is_refused():
    from classifier import TrainingDataError
    from training.audit import label_issues

    data = pd.DataFrame({"text": ["a"], "label": ["ktlo"]})
    with pytest.raises(TrainingDataError, match="the model knows the labels x, y, not ktlo"):
        label_issues(data, [[0.5, 0.5]], ["x", "y"])
