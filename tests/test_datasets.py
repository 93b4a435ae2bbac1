"""score_dataset and `itwork score` on a directory or glob of Parquet files."""

from __future__ import annotations

import pandas as pd
import pytest

from classifier import InvalidValueError, OutputExistsError, TableReadError, score_frame
from classifier.cli import main
from classifier.datasets import dataset_files, is_dataset, score_dataset


@pytest.fixture
def dataset(tmp_path, tiny_frame):
    folder = tmp_path / "tickets"
    (folder / "more").mkdir(parents=True)
    frame = tiny_frame[["text"]].assign(id=range(len(tiny_frame)))
    frame.loc[3, "text"] = ""
    frame.iloc[:10].to_parquet(folder / "a.parquet", index=False)
    frame.iloc[10:].to_parquet(folder / "more" / "b.parquet", index=False)
    (folder / "_SUCCESS").write_text("")
    return folder, frame


def _read(directory) -> pd.DataFrame:
    parts = sorted(directory.glob("*.parquet"))
    return pd.concat([pd.read_parquet(part) for part in parts], ignore_index=True)


def test_scores_every_file_into_parts_like_score_frame(dataset, tmp_path, fitted_model):
    folder, frame = dataset
    summary = score_dataset(folder, tmp_path / "out", model=fitted_model, chunk_size=4)
    assert [part.name for part in sorted((tmp_path / "out").iterdir())] == ["part-00000.parquet", "part-00001.parquet"]
    expected = score_frame(frame, model=fitted_model)
    pd.testing.assert_frame_equal(_read(tmp_path / "out"), expected, check_dtype=False)
    assert (summary.rows, summary.blank) == (len(frame), 1)
    assert not [path for path in tmp_path.iterdir() if path.name.startswith(".")]  # no staging left behind


def test_a_glob_names_the_files(dataset, tmp_path, fitted_model):
    folder, frame = dataset
    assert is_dataset(f"{folder}/*.parquet") and is_dataset(folder) and not is_dataset(folder / "a.parquet")
    summary = score_dataset(f"{folder}/*.parquet", tmp_path / "out", model=fitted_model)
    assert summary.rows == 10


def test_refuses_an_existing_output_and_a_failed_run_leaves_it_whole(dataset, tmp_path, fitted_model):
    folder, _ = dataset
    output = tmp_path / "out"
    output.mkdir()
    (output / "keep.txt").write_text("earlier")
    with pytest.raises(OutputExistsError, match="output directory .*out already exists; pass overwrite=True"):
        score_dataset(folder, output, model=fitted_model)
    with pytest.raises(InvalidValueError, match="min_confidence must be a number from 0 to 1"):
        score_dataset(folder, output, model=fitted_model, overwrite=True, min_confidence=3)
    assert [path.name for path in output.iterdir()] == ["keep.txt"]
    assert not [path for path in tmp_path.iterdir() if path.name.startswith(".")]
    score_dataset(folder, output, model=fitted_model, overwrite=True)
    assert sorted(path.name for path in output.iterdir()) == ["part-00000.parquet", "part-00001.parquet"]


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("empty", r"directory .*empty holds no Parquet files \(\*.parquet, \*.pq\); check the path"),
        ("*.csv", r"pattern .*\*.csv holds no Parquet files"),
        ("*", r"matches files that are not Parquet: .*notes.txt; datasets are read as Parquet"),
    ],
    ids=["empty-directory", "no-match", "not-parquet"],
)
def test_a_dataset_without_parquet_files_is_refused(tmp_path, pattern, message):
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(TableReadError, match=message):
        dataset_files(tmp_path / pattern)


def test_a_missing_text_column_fails_before_anything_is_written(dataset, tmp_path, fitted_model):
    folder, _ = dataset
    with pytest.raises(Exception, match="column 'description' not found in .*a.parquet; columns are: text, id"):
        score_dataset(folder, tmp_path / "out", model=fitted_model, text_column="description")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["tickets"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"engine": "spark"}, "engine must be one of local, dask, got 'spark'"),
        ({"scheduler": "tcp://host:8786"}, r"a scheduler address \(tcp://host:8786\) needs engine='dask'"),
    ],
    ids=["engine", "scheduler"],
)
def test_bad_engine_options(dataset, tmp_path, fitted_model, options, message):
    with pytest.raises(InvalidValueError, match=message):
        score_dataset(dataset[0], tmp_path / "out", model=fitted_model, **options)


def test_cli_scores_a_dataset_directory_with_top_terms(dataset, tmp_path, tiny_bundle, capsys):
    folder, frame = dataset
    assert main(["score", str(folder), "-o", str(tmp_path / "out"), "-m", tiny_bundle, "--explain"]) == 0
    assert f"scored {len(frame) - 1} of {len(frame)} rows" in capsys.readouterr().out
    assert _read(tmp_path / "out")["top_terms"].notna().sum() == len(frame) - 1


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["-o", "-"], "a Parquet dataset is written as a directory of parts; give -o DIRECTORY, not -"),
        (["-o", "out", "--scheduler", "tcp://h:1"], "needs engine='dask'"),
    ],
    ids=["stdout", "scheduler-without-dask"],
)
def test_cli_dataset_errors_are_one_line(dataset, tiny_bundle, capsys, extra, message):
    assert main(["score", str(dataset[0]), "-m", tiny_bundle, *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


@pytest.mark.slow  # starts a local Dask cluster of two worker processes
def test_cli_dask_engine_writes_the_same_rows(dataset, tmp_path, tiny_bundle, fitted_model, capsys):
    pytest.importorskip("distributed", reason="needs the dask extra: pip install 'it-work-classifier[dask]'")
    folder, frame = dataset
    argv = ["score", str(folder), "-o", str(tmp_path / "out"), "-m", tiny_bundle, "--engine", "dask", "-j", "2"]
    assert main(argv) == 0
    assert f"scored {len(frame) - 1} of {len(frame)} rows" in capsys.readouterr().out
    result = _read(tmp_path / "out").sort_values("id").reset_index(drop=True)
    pd.testing.assert_frame_equal(result, score_frame(frame, model=fitted_model), check_dtype=False)


@pytest.mark.parametrize("module", ["distributed", "dask.dataframe"])
def test_the_dask_engine_without_the_extra_says_what_to_install(
    dataset, tmp_path, tiny_bundle, monkeypatch, capsys, module
):
    import sys

    monkeypatch.setitem(sys.modules, module, None)  # as if not installed
    argv = ["score", str(dataset[0]), "-o", str(tmp_path / "out"), "-m", tiny_bundle, "--engine", "dask"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "needs the dask extra, which is not installed" in err and 'pip install "it-work-classifier[dask]"' in err
    assert not (tmp_path / "out").exists()
