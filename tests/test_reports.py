import base64
import re

import pandas as pd
import pytest
from matplotlib.figure import Figure

from classifier import OutputExistsError, Report
from classifier.reports import Clipped

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def small_figure():
    figure = Figure(figsize=(2, 1))
    figure.add_subplot().bar(["a", "b"], [1, 2])
    return figure


@pytest.fixture
def report():
    report = Report("Mix <by> team")
    report.heading("Overview")
    report.paragraph('Hours & shares of "work" <script>alert(1)</script>')
    report.table(pd.DataFrame({"team": ["desk", "a|b"], "share": [0.25, 1 / 3], "rows": [3, 4]}))
    report.figure(small_figure(), "Share per team", "mix_by_team")
    return report


def test_markdown_has_headings_tables_and_figure_files(report):
    markdown = report.to_markdown()
    assert markdown.splitlines()[:5] == [
        "# Mix &lt;by&gt; team",
        "",
        "## Overview",
        "",
        'Hours &amp; shares of "work" &lt;script&gt;alert(1)&lt;/script&gt;',
    ]
    assert "<script>" not in markdown
    assert "| team | share | rows |" in markdown
    assert "| a\\|b | 0.333 | 4 |" in markdown
    assert "![Share per team](mix_by_team.png)" in markdown


def test_styles_bullets_formats_and_clipped_cells():
    report = Report("t")
    report.paragraph("The answer", "lead")
    report.paragraph("source: x", "note")
    report.bullets(["Hand off *desk*", "<b>grow</b>"])
    long = "reset the password and unlock the account " * 4
    report.table(
        pd.DataFrame({"team": ["desk"], "hours": [1234.5], "share": [0.0004], "text": [Clipped(long, 30)]}),
        formats={"hours": "{:,.0f}", "share": lambda value: f"{value:.1%}"},
    )
    markdown, page = report.to_markdown(), report.to_html()
    assert "**The answer**\n\n*source: x*\n\n- Hand off \\*desk\\*\n- &lt;b&gt;grow&lt;/b&gt;" in markdown
    assert "| desk | 1,234 | 0.0% | reset the password and unlock… |" in markdown
    assert '<p class="lead">The answer</p>' in page and "<li>&lt;b&gt;grow&lt;/b&gt;</li>" in page
    assert f'<td><span title="{long}">reset the password and unlock…</span></td>' in page
    with pytest.raises(ValueError, match="paragraph style must be one of plain, lead, note, got 'loud'"):
        report.paragraph("x", "loud")
    with pytest.raises(ValueError, match="formats name columns the table does not have: hours"):
        report.table(pd.DataFrame({"a": [1]}), formats={"hours": "{:.0f}"})
    with pytest.raises(TypeError, match="bullets needs a list of texts, got a single str"):
        report.bullets("one")


def test_html_is_self_contained_and_escaped(report):
    page = report.to_html()
    assert "http://" not in page and "https://" not in page
    sources = re.findall(r'src="([^"]*)"', page)
    assert len(sources) == 1 and all(source.startswith("data:image/png;base64,") for source in sources)
    assert "<link" not in page and "@import" not in page and "url(" not in page
    embedded = base64.b64decode(sources[0].split(",", 1)[1])
    assert embedded == report.figures["mix_by_team"] and embedded.startswith(PNG_MAGIC)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<title>Mix &lt;by&gt; team</title>" in page
    assert "<td class=number>0.333</td>" in page


def test_float_format_and_named_index():
    report = Report("t")
    report.table(pd.DataFrame({"share": [0.5]}, index=pd.Index(["desk"], name="team")), float_format="{:.1%}")
    assert "| team | share |\n|---|---|\n| desk | 50.0% |" in report.to_markdown()


def test_figure_closes_pyplot_figures():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure = plt.figure()
    plt.plot([1, 2])
    report = Report("t")
    report.figure(figure, "line", "line")
    assert figure.number not in plt.get_fignums()
    assert report.figures["line"].startswith(PNG_MAGIC)


@pytest.mark.parametrize("name", ["../up", "a b", "", "x/y"], ids=["parent", "space", "empty", "slash"])
def test_figure_names_must_be_plain_file_names(name):
    with pytest.raises(ValueError, match="is not a plain file name"):
        Report("t").figure(small_figure(), "c", name)


def test_figure_names_must_be_unique(report):
    with pytest.raises(ValueError, match="already has a figure named 'mix_by_team'"):
        report.figure(small_figure(), "again", "mix_by_team")


def test_bad_heading_level_and_table_type():
    with pytest.raises(ValueError, match="heading level must be an integer from 1 to 6, got 7"):
        Report("t").heading("x", level=7)
    with pytest.raises(TypeError, match="table needs a pandas DataFrame, got list"):
        Report("t").table([1, 2])


def test_write_creates_files_and_refuses_to_clobber(report, tmp_path):
    paths = report.write(tmp_path / "out", stem="mix")
    assert set(paths) == {"markdown", "html", "mix_by_team.png"}
    assert paths["markdown"].read_text(encoding="utf-8") == report.to_markdown()
    assert paths["html"].read_text(encoding="utf-8") == report.to_html()
    assert paths["mix_by_team.png"].read_bytes().startswith(PNG_MAGIC)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["mix.html", "mix.md", "mix_by_team.png"]
    paths["html"].write_text("old")
    with pytest.raises(OutputExistsError, match=r"mix\.html already exists; pass overwrite=True"):
        report.write(tmp_path / "out", stem="mix")
    assert paths["html"].read_text() == "old"
    report.write(tmp_path / "out", stem="mix", overwrite=True)
    assert paths["html"].read_text(encoding="utf-8") == report.to_html()


def test_write_refuses_a_file_as_directory_and_a_bad_stem(report, tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputExistsError, match="is a file; give a directory path"):
        report.write(tmp_path / "file")
    with pytest.raises(ValueError, match="report stem '../x' is not a plain file name"):
        report.write(tmp_path, stem="../x")


def test_write_swaps_the_directory_whole_and_keeps_other_files(report, tmp_path):
    folder = tmp_path / "out"
    report.write(folder)
    (folder / "notes.txt").write_text("mine")
    (folder / "old").mkdir()
    (folder / "old" / "a.md").write_text("kept")
    (folder / "report.md").write_text("old report")
    report.write(folder, overwrite=True, extra_files={"metrics.json": b"{}"})
    assert (folder / "report.md").read_text(encoding="utf-8") == report.to_markdown()
    assert (folder / "notes.txt").read_text() == "mine" and (folder / "old" / "a.md").read_text() == "kept"
    assert (folder / "metrics.json").read_bytes() == b"{}"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out"]  # no staging left beside it


def test_a_full_disk_leaves_the_earlier_report_whole(report, tmp_path, monkeypatch):
    import errno

    from classifier import reports

    folder = tmp_path / "out"
    report.write(folder)
    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    written = []

    def fill_up(path, content):
        if written:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        written.append(path)
        path.write_bytes(content)

    monkeypatch.setattr(reports, "_write_file", fill_up)
    report.paragraph("a new paragraph")
    with pytest.raises(OSError, match="No space left on device"):
        report.write(folder, overwrite=True)
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out"]


def test_the_current_directory_is_not_swapped(report, tmp_path, monkeypatch):
    from classifier.errors import InvalidValueError

    monkeypatch.chdir(tmp_path)
    with pytest.raises(InvalidValueError, match=r"report directory \. holds the current directory.*sub-directory"):
        report.write(".")


def test_report_files_follow_the_umask_as_open_would(report, tmp_path):
    import os
    import stat

    previous = os.umask(0o022)
    try:
        paths = report.write(tmp_path / "out")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "out").stat().st_mode) == 0o755
    assert {stat.S_IMODE(path.stat().st_mode) for path in paths.values()} == {0o644}
