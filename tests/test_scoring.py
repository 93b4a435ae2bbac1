import pandas as pd
import pytest

from classifier import (
    ColumnNotFoundError,
    InvalidValueError,
    ITWorkClassifier,
    OutputExistsError,
    score_file,
    score_frame,
)
from classifier.scoring import output_columns


def test_score_frame_adds_columns_and_keeps_blank_rows_unscored(fitted_model):
    frame = pd.DataFrame({"id": [1, 2, 3], "text": ["reset my password", "", None]})
    scored = score_frame(frame, model=fitted_model)
    assert list(scored.columns) == ["id", "text", *output_columns()]
    assert scored["label"].tolist()[0] == "commodity_outsourceable"
    assert scored["label"].isna().tolist() == [False, True, True]
    row = scored.iloc[0]
    assert row["p_ktlo"] + row["p_commodity_outsourceable"] + row["p_business_enabling"] == pytest.approx(1, abs=1e-5)
    assert row["confidence"] == pytest.approx(
        max(row["p_ktlo"], row["p_commodity_outsourceable"], row["p_business_enabling"])
    )


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".jsonl", ".parquet", ".xlsx"])
def test_score_file_keeps_every_row_and_column(fitted_model, tmp_path, suffix, tiny_frame):
    source = tmp_path / "in.csv"
    tiny_frame[["text"]].assign(extra="x").to_csv(source, index=False)
    output = tmp_path / f"out{suffix}"
    summary = score_file(source, output, model=fitted_model, chunk_size=5)
    scored = (
        pd.read_csv(output, sep="\t")
        if suffix == ".tsv"
        else (
            pd.read_csv(output)
            if suffix == ".csv"
            else pd.read_json(output, lines=True)
            if suffix == ".jsonl"
            else pd.read_parquet(output)
            if suffix == ".parquet"
            else pd.read_excel(output)
        )
    )
    assert len(scored) == len(tiny_frame) == summary.rows == summary.scored
    assert list(scored.columns) == ["text", "extra", *output_columns()]
    assert scored["text"].tolist() == tiny_frame["text"].tolist()


def test_score_file_chunked_equals_whole(fitted_model, tmp_path, tiny_frame):
    source = tmp_path / "in.csv"
    tiny_frame[["text"]].to_csv(source, index=False)
    score_file(source, tmp_path / "a.csv", model=fitted_model, chunk_size=3)
    score_file(source, tmp_path / "b.csv", model=fitted_model, chunk_size=1000)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_score_file_refuses_existing_output(fitted_model, tmp_path, tiny_frame):
    source = tmp_path / "in.csv"
    tiny_frame[["text"]].to_csv(source, index=False)
    output = tmp_path / "out.csv"
    output.write_text("keep me")
    with pytest.raises(OutputExistsError, match="already exists"):
        score_file(source, output, model=fitted_model)
    assert output.read_text() == "keep me"


def test_score_file_refuses_columns_it_would_overwrite(fitted_model, tmp_path, tiny_frame):
    source = tmp_path / "in.csv"
    tiny_frame.to_csv(source, index=False)
    tiny_frame.assign(confidence=1).to_csv(source, index=False)
    with pytest.raises(ColumnNotFoundError, match="already has column.*confidence.*use prefix='pred_'"):
        score_file(source, tmp_path / "out.csv", model=fitted_model)
    assert not (tmp_path / "out.csv").exists()


def test_score_file_missing_text_column_leaves_no_output(fitted_model, tmp_path):
    source = tmp_path / "in.csv"
    pd.DataFrame({"id": [1], "description": ["patch the app"]}).to_csv(source, index=False)
    with pytest.raises(ColumnNotFoundError, match="Use text_column='description'"):
        score_file(source, tmp_path / "out.csv", model=fitted_model)
    assert list(tmp_path.iterdir()) == [source]


def test_a_million_empty_rows_are_kept_and_left_unscored(fitted_model, tmp_path):
    source = tmp_path / "empty.csv"
    source.write_text("id,text\n" + "".join(f"{i},\n" for i in range(1_000_000)))
    summary = score_file(source, tmp_path / "out.csv", model=fitted_model, chunk_size=200_000)
    assert (summary.rows, summary.scored, summary.blank) == (1_000_000, 0, 1_000_000)
    with open(tmp_path / "out.csv") as handle:
        assert sum(1 for _ in handle) == 1_000_001


@pytest.mark.parametrize("which", ["fitted_model", "default_model"], ids=["plain", "register-adapted"])
def test_parallel_scoring_equals_one_process_row_for_row(which, request, tmp_path, tiny_frame):
    fitted_model = request.getfixturevalue(which)
    source = tmp_path / "in.csv"
    frame = pd.concat([tiny_frame[["text"]]] * 10, ignore_index=True)
    frame.loc[5, "text"] = ""
    frame.assign(row=range(len(frame))).to_csv(source, index=False)
    one = score_file(source, tmp_path / "one.csv", model=fitted_model, chunk_size=7, n_jobs=1)
    two = score_file(source, tmp_path / "two.csv", model=fitted_model, chunk_size=7, n_jobs=2)
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()
    assert pd.read_csv(tmp_path / "two.csv")["row"].tolist() == list(range(len(frame)))
    assert one == two and two.rows == len(frame) and two.blank == 1


def test_default_n_jobs_uses_all_cores_only_for_large_inputs(tmp_path, monkeypatch):
    import classifier.scoring as scoring

    small = tmp_path / "small.csv"
    small.write_text("text\nreset my password\n")
    assert scoring._default_n_jobs(small) == 1
    assert scoring._default_n_jobs("-") == 1
    monkeypatch.setattr(scoring, "PARALLEL_INPUT_BYTES", 10)
    monkeypatch.setattr(scoring.os, "cpu_count", lambda: 8)
    assert scoring._default_n_jobs(small) == -1
    monkeypatch.setattr(scoring.os, "cpu_count", lambda: 2)
    assert scoring._default_n_jobs(small) == 1


@pytest.mark.parametrize(("progress", "shown"), [(True, True), (False, False), (None, False)], ids=str)
def test_progress_bar_on_stderr(fitted_model, tmp_path, tiny_frame, capsys, progress, shown):
    source = tmp_path / "in.csv"
    tiny_frame[["text"]].to_csv(source, index=False)
    score_file(source, tmp_path / "out.csv", model=fitted_model, chunk_size=5, progress=progress)
    captured = capsys.readouterr()
    assert ("100%" in captured.err) is shown  # None: stderr is not a terminal here
    assert captured.out == ""


def test_texts_over_the_cap_give_one_warning_for_the_whole_file(fitted_model, tmp_path):
    import copy

    from classifier.errors import TextTruncatedWarning

    model = copy.deepcopy(fitted_model).set_params(max_text_chars=30)
    source = tmp_path / "in.csv"
    texts = ["Reset the password and unlock the account for a user"] * 5 + ["Printer jammed", ""]
    pd.DataFrame({"text": texts}).to_csv(source, index=False)
    with pytest.warns(TextTruncatedWarning) as caught:
        summary = score_file(source, tmp_path / "out.csv", model=model, chunk_size=2, progress=False)
    assert [str(w.message)[:60] for w in caught] == ["5 of 6 texts are longer than max_text_chars=30 characters; o"]
    assert summary.truncated == 5
    assert pd.read_csv(tmp_path / "out.csv")["text"].tolist()[:6] == texts[:6]  # the output keeps the whole text


def test_score_frame_takes_the_model_as_a_bundle_path_and_the_old_argument_order_with_a_warning(
    fitted_model, tiny_bundle, tiny_frame
):
    frame = tiny_frame[["text"]]
    expected = score_frame(frame, model=fitted_model)
    pd.testing.assert_frame_equal(score_frame(frame, model=tiny_bundle), expected)
    with pytest.warns(DeprecationWarning, match=r"call score_frame\(frame, text_column, model=model\)"):
        pd.testing.assert_frame_equal(score_frame(fitted_model, frame), expected)


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((["reset my password"],), {}, "score_frame needs a pandas DataFrame, got list"),
        ((pd.DataFrame({"text": ["a"]}),), {"model": 3}, "model must be an ITWorkClassifier, a bundle directory"),
        ((pd.DataFrame({"text": ["a"]}), ["text"]), {}, "text_column must be one column name .a str., got list"),
    ],
    ids=["list", "model", "columns"],
)
def test_score_frame_rejects_wrong_types(fitted_model, args, kwargs, message):
    with pytest.raises(TypeError, match=message):
        score_frame(*args, **{"model": fitted_model, **kwargs})


def test_explain_adds_top_terms_to_scored_rows_and_files(fitted_model, tmp_path):
    frame = pd.DataFrame({"text": ["Reset the password and unlock the account", "", "Launch online ordering"]})
    scored = score_frame(frame, model=fitted_model, explain=True, prefix="x_")
    assert list(scored.columns) == ["text", *output_columns("x_"), "x_top_terms"]
    terms = scored["x_top_terms"].tolist()
    assert "password" in terms[0].split("; ") and pd.isna(terms[1]) and terms[2]
    assert "top_terms" not in score_frame(frame, model=fitted_model).columns
    source = tmp_path / "in.csv"
    frame.to_csv(source, index=False)
    score_file(source, tmp_path / "out.parquet", model=fitted_model, explain=True, chunk_size=2)
    assert pd.read_parquet(tmp_path / "out.parquet")["top_terms"].tolist()[0] == terms[0]


def test_explain_refuses_an_existing_top_terms_column(fitted_model):
    with pytest.raises(ColumnNotFoundError, match="already has column.*top_terms"):
        score_frame(pd.DataFrame({"text": ["a"], "top_terms": ["b"]}), model=fitted_model, explain=True)


def test_import_classifier_does_not_import_the_engines():
    import subprocess
    import sys

    code = (
        "import sys, classifier, classifier.scoring, classifier.datasets, classifier.worker_model; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'dask', 'distributed', 'pyspark', 'py4j'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_a_parquet_output_whose_first_chunk_is_all_blank_takes_later_labels(fitted_model, tmp_path):
    source = tmp_path / "in.csv"
    pd.DataFrame({"id": [1, 2, 3, 4], "text": ["", " ", "reset my password", "patch the claims app"]}).to_csv(
        source, index=False
    )
    summary = score_file(source, tmp_path / "out.parquet", model=fitted_model, chunk_size=2, explain=True)
    written = pd.read_parquet(tmp_path / "out.parquet")
    assert summary.scored == 2 and written["label"].notna().tolist() == [False, False, True, True]
    assert written["top_terms"].notna().sum() == 2


def test_a_model_of_other_labels_is_refused_before_scoring(tiny_frame, tmp_path):
    from classifier import save_model
    from classifier.cli import main

    two = tiny_frame[tiny_frame["label"] != "ktlo"]
    model = ITWorkClassifier(encoder=None, scope_quantile=None).fit(two["text"].tolist(), two["label"].tolist())
    message = "scoring tables needs a model of the three labels .*; this model predicts business_enabling, commodity"
    with pytest.raises(InvalidValueError, match=message):
        score_frame(tiny_frame[["text"]], model=model)
    source = tmp_path / "in.csv"
    tiny_frame[["text"]].to_csv(source, index=False)
    assert (
        main(["score", str(source), "-o", str(tmp_path / "out.csv"), "-m", str(save_model(model, tmp_path / "m"))]) == 2
    )
    assert not (tmp_path / "out.csv").exists()
