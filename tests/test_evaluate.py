"""Evaluation on labelled data: every row is counted, and repeated texts are named."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from classifier.cli import main
from training.evaluate import duplicates_note, evaluate_file


@pytest.fixture
def with_repeat(tmp_path, tiny_frame):
    path = tmp_path / "holdout.csv"
    rows = pd.concat([tiny_frame, tiny_frame.iloc[[4]].assign(text=lambda f: f["text"].str.upper())])
    rows.to_csv(path, index=False)
    return path


def test_a_repeated_text_is_counted_and_named(with_repeat, tiny_bundle):
    metrics = evaluate_file(tiny_bundle, with_repeat)
    assert metrics["n"] == 22 and metrics["duplicates"] == [[23, 6]] and metrics["conflicts"] == []
    assert sum(row["support"] for row in metrics["per_class"].values()) == 22


def test_cli_evaluate_says_which_rows_repeat(with_repeat, tiny_bundle, capsys):
    assert main(["evaluate", "-m", tiny_bundle, str(with_repeat)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("22 examples: accuracy ")
    assert "Every row is counted: 1 text repeats an earlier row (row 23 = row 6)." in out
    assert main(["evaluate", "-m", tiny_bundle, str(with_repeat), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["duplicates"] == [[23, 6]]


def test_conflicting_labels_are_evaluated_and_named(tmp_path, tiny_frame, tiny_bundle):
    path = tmp_path / "conflict.csv"
    pd.concat([tiny_frame, tiny_frame.iloc[[0]].assign(label="ktlo")]).to_csv(path, index=False)
    metrics = evaluate_file(tiny_bundle, path)
    assert metrics["n"] == 22 and metrics["conflicts"] == [[23, 2]]
    assert duplicates_note(metrics).endswith("; 1 with a different label (row 23).")


def test_no_note_without_repeats(tiny_csv, tiny_bundle):
    assert duplicates_note(evaluate_file(tiny_bundle, tiny_csv)) is None
