"""Evaluation report: metrics.json, Markdown, and one self-contained HTML file."""

from __future__ import annotations

import json
import re

import pytest

from classifier.cli import main
from training.evaluate import evaluate_file


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory, tiny_bundle):
    import pandas as pd

    from tests.conftest import TINY

    folder = tmp_path_factory.mktemp("eval")
    data = folder / "holdout.csv"
    pd.DataFrame(TINY, columns=["text", "label"]).to_csv(data, index=False)
    metrics = evaluate_file(tiny_bundle, data, report=folder / "report")
    return folder / "report", metrics


def test_report_writes_metrics_markdown_html_and_figures(report_dir):
    folder, metrics = report_dir
    assert {p.name for p in folder.iterdir()} == {
        "metrics.json", "report.md", "report.html", "confusion_matrix.png", "reliability.png",
    }  # fmt: skip
    saved = json.loads((folder / "metrics.json").read_text())
    assert saved["macro_f1"] == metrics["macro_f1"]
    assert set(saved["baselines"]) == {"majority", "keywords"}
    markdown = (folder / "report.md").read_text()
    for section in ("Per label", "Compared with baselines", "Calibration", "Most confident mistakes"):
        assert f"## {section}" in markdown


def test_html_report_is_one_file_that_needs_no_network(report_dir):
    folder, _ = report_dir
    html = (folder / "report.html").read_text()
    assert html.count('src="data:image/png;base64,') == 2
    sources = re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', html)
    assert all(source.startswith(("data:", "#")) for source in sources), sources
    assert not re.search(r"https?://|//cdn|@import|<link\b|<script\b[^>]*src", html)


def test_report_is_not_overwritten_without_permission(report_dir, tiny_bundle):
    folder, _ = report_dir
    before = (folder / "metrics.json").read_bytes()
    with pytest.raises(FileExistsError, match="already exists; pass overwrite=True"):
        evaluate_file(tiny_bundle, folder.parent / "holdout.csv", report=folder)
    assert (folder / "metrics.json").read_bytes() == before


def test_cli_evaluate_with_report(report_dir, tmp_path, capsys, tiny_bundle):
    folder, _ = report_dir
    assert main(["evaluate", tiny_bundle, str(folder.parent / "holdout.csv"), "--report", str(tmp_path / "r")]) == 0
    out = capsys.readouterr().out
    assert "baseline keywords" in out and "ECE" in out
    assert (tmp_path / "r" / "report.html").is_file()
