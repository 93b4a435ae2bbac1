"""Progress on stderr: the start-up line, and a bar with a total where the input's size is known."""

import io
import re
import sys

import pandas as pd
import pytest

from classifier import score_file
from classifier.cli import main
from classifier.progress import InputProgress, announce, input_total
from classifier.tables import iter_table


def write(frame, path):
    kind = path.suffix
    if kind == ".csv":
        frame.to_csv(path, index=False)
    elif kind == ".tsv":
        frame.to_csv(path, index=False, sep="\t")
    elif kind == ".jsonl":
        frame.to_json(path, orient="records", lines=True)
    else:
        frame.to_parquet(path)
    return path


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".jsonl"], ids=["csv", "tsv", "jsonl"])
def test_text_files_show_bytes_of_the_file_size_with_a_percentage(fitted_model, tiny_frame, tmp_path, capsys, suffix):
    source = write(pd.concat([tiny_frame[["text"]]] * 20), tmp_path / f"in{suffix}")
    assert input_total(source) == (source.stat().st_size, "B")
    score_file(source, tmp_path / "out.csv", model=fitted_model, chunk_size=50, progress=True)
    final = capsys.readouterr().err.replace("\r", "\n").strip().splitlines()[-1]
    assert re.match(r"100%\|.*\| [\d.]+k/[\d.]+k \[.*B/s, 420 rows\]$", final), final


def test_parquet_shows_rows_of_the_row_count_in_its_metadata(fitted_model, tiny_frame, tmp_path, capsys):
    source = write(tiny_frame[["text"]], tmp_path / "in.parquet")
    assert input_total(source) == (21, "rows")
    score_file(source, tmp_path / "out.csv", model=fitted_model, chunk_size=5, progress=True)
    final = capsys.readouterr().err.replace("\r", "\n").strip().splitlines()[-1]
    assert final.startswith("100%") and "21.0/21.0 [" in final


@pytest.mark.parametrize("path", ["-", "missing.csv", "table.xlsx"], ids=["stdin", "missing", "excel"])
def test_inputs_of_unknown_size_count_rows_without_a_total(path):
    assert input_total(path) == (None, "rows")


def test_the_bar_moves_to_the_readers_position_of_each_chunk_done_in_order(tmp_path, capsys):
    source = tmp_path / "in.csv"
    source.write_bytes(b"x" * 300)
    with InputProgress(source, progress=True) as bar:
        for position in (100, 250, 300):
            bar.on_read(position)  # the reader runs ahead of the chunks done
        bar.update(10)
        assert (bar.bar.n, bar.rows) == (100, 10)
        bar.update(10)
        bar.update(5)
        assert (bar.bar.n, bar.rows) == (300, 25)
    assert "100%" in capsys.readouterr().err


def test_iter_table_reports_the_bytes_read_before_each_chunk(tmp_path, tiny_frame):
    source = write(pd.concat([tiny_frame[["text"]]] * 200), tmp_path / "in.jsonl")
    positions = []
    chunks = list(iter_table(source, 1000, None, positions.append))
    assert len(positions) == len(chunks) == 5
    assert positions == sorted(positions) and positions[-1] == source.stat().st_size and positions[0] < positions[-1]


@pytest.mark.parametrize(("progress", "printed"), [(True, True), (False, False), (None, False)], ids=str)
def test_announce_prints_only_when_progress_is_shown(capsys, progress, printed):
    announce("loading model ...", progress)  # None: stderr is not a terminal here
    assert (capsys.readouterr().err == "loading model ...\n") is printed


def test_score_says_it_is_loading_the_model_when_stderr_is_a_terminal(tiny_bundle, tmp_path, monkeypatch, capsys):
    source = tmp_path / "in.csv"
    source.write_text("text\nreset my password\n", encoding="utf-8")
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert main(["score", str(source), "-o", str(tmp_path / "out.csv"), "-m", tiny_bundle]) == 0
    assert sys.stderr.getvalue().startswith(f"itwork score: loading model {tiny_bundle} ...\n")
    assert main(["score", str(source), "-o", str(tmp_path / "out2.csv"), "-m", tiny_bundle, "--quiet"]) == 0
    assert "loading model" not in sys.stderr.getvalue().split("\n", 1)[1]
