import re

import numpy as np
import pandas as pd
import pytest

from classifier import ColumnNotFoundError, InvalidValueError, analyze_portfolio, portfolio_report
from classifier.labels import LABEL_IDS, LABELS
from classifier.portfolio import headline, largest_moves, mix_chart, summarize_portfolio
from classifier.scoring import output_columns


@pytest.fixture
def timesheet():
    return pd.DataFrame(
        {
            "team": ["desk", "desk", "desk", "apps", "apps", "apps", None],
            "person": ["ann", "ann", "bob", "cy", "cy", "dee", "ann"],
            "task": [
                "Reset the password and unlock the account for a user",
                "reset the password and  unlock the account for a user",
                "Printer on floor two keeps jamming",
                "Build a self-service returns flow in the customer mobile app",
                "Fix the nightly billing batch job in our in-house claims system",
                "",
                "Install Office on the finance desktops",
            ],
            "hours": ["1", 2, 1.0, "4.5", "1.5", "", "2"],
        }
    )


def scored(rows):
    """Rows as score_frame returns them: (team, task, hours, label, confidence, needs_review, in_scope)."""
    frame = pd.DataFrame(rows, columns=["team", "task", "hours", "label", "confidence", "needs_review", "in_scope"])
    frame["needs_review"] = frame["needs_review"].astype("boolean")
    frame["in_scope"] = frame["in_scope"].astype("boolean")
    for label in LABEL_IDS:
        frame[f"p_{label}"] = np.where(frame["label"] == label, frame["confidence"], 0.0)
    return frame


@pytest.fixture
def mixed():
    """Ten scored rows: 6 confident, 1 out of scope, 2 needing review, 1 blank."""
    return scored(
        [
            ("desk", "Reset a password", 4, "commodity_outsourceable", 0.99, False, True),
            ("desk", "reset a  password", 2, "commodity_outsourceable", 0.95, False, True),
            ("desk", "Replace a laptop", 2, "commodity_outsourceable", 0.90, False, True),
            ("apps", "Patch the claims system", 4, "ktlo", 0.97, False, True),
            ("apps", "Build the booking app", 6, "business_enabling", 0.98, False, True),
            ("apps", "Build the booking app for partners", 2, "business_enabling", 0.80, False, True),
            ("apps", "Happy birthday Sam!", 1, "commodity_outsourceable", 0.99, True, False),
            ("desk", "Printer or app?", 3, "ktlo", 0.40, True, True),
            ("desk", "Check a thing", 1, "commodity_outsourceable", 0.45, True, True),
            ("apps", "", 5, None, np.nan, pd.NA, pd.NA),
        ]
    )


def test_rows_keep_input_columns_and_add_predictions(fitted_model, timesheet):
    result = analyze_portfolio(timesheet, "task", "hours", model=fitted_model)
    assert list(result.rows.columns) == list(timesheet.columns) + output_columns()
    assert result.rows["label"].tolist()[:5] == [
        "commodity_outsourceable",
        "commodity_outsourceable",
        "commodity_outsourceable",
        "business_enabling",
        "ktlo",
    ]
    assert result.scored == 6 and result.blank == 1 and pd.isna(result.rows.loc[5, "label"])


def test_share_of_hours_overall(fitted_model, timesheet):
    result = analyze_portfolio(timesheet, "task", "hours", model=fitted_model)
    assert result.measure == "hours"
    assert result.totals == {"ktlo": 1.5, "commodity_outsourceable": 6.0, "business_enabling": 4.5}
    assert result.overall == pytest.approx({"ktlo": 0.125, "commodity_outsourceable": 0.5, "business_enabling": 0.375})


def test_share_of_items_without_hours(fitted_model, timesheet):
    result = analyze_portfolio(timesheet, "task", model=fitted_model)
    assert result.measure == "items"
    assert result.totals == {"ktlo": 1.0, "commodity_outsourceable": 4.0, "business_enabling": 1.0}


def test_per_group_tables_for_several_columns(fitted_model, timesheet):
    result = analyze_portfolio(timesheet, "task", "hours", group_by=["team", "person"], model=fitted_model)
    team = result.groups["team"]
    assert list(team.columns) == ["hours", *LABEL_IDS]
    assert team.index.tolist() == ["apps", "desk", "(blank)"]  # by hours, largest first
    assert team.loc["apps"].tolist() == pytest.approx([6.0, 0.25, 0.0, 0.75])
    assert team.loc["desk", "commodity_outsourceable"] == 1.0
    assert team[list(LABEL_IDS)].sum(axis=1).tolist() == pytest.approx([1, 1, 1])
    assert result.groups["person"].loc["ann", "hours"] == 5.0


def test_priors_min_confidence_and_jobs_reach_the_scoring(fitted_model, timesheet):
    plain = analyze_portfolio(timesheet, "task", "hours", model=fitted_model)
    strict = analyze_portfolio(timesheet, "task", "hours", model=fitted_model, min_confidence=1.0)
    assert strict.rows["needs_review"].sum() == plain.scored > plain.rows["needs_review"].sum()
    priors = {"ktlo": 0.1, "commodity_outsourceable": 0.8, "business_enabling": 0.1}
    shifted = analyze_portfolio(timesheet, "task", "hours", model=fitted_model, priors=priors)
    assert shifted.model_info["priors"] == pytest.approx(priors)
    assert (shifted.rows["p_commodity_outsourceable"] >= plain.rows["p_commodity_outsourceable"]).iloc[:5].all()
    with pytest.raises(InvalidValueError, match=r"priors must be 'auto', a register name .* got 0\.5"):
        analyze_portfolio(timesheet, "task", model=fitted_model, priors=0.5)


def test_left_out_rows_are_counted_and_in_the_shares_by_default(mixed):
    result = summarize_portfolio(mixed, "task", "hours", group_by="team")
    left = result.left_out
    assert left["rows"].to_dict() == {"out_of_scope": 1, "needs_review": 2, "blank": 1}
    assert left["hours"].to_dict() == {"out_of_scope": 1.0, "needs_review": 4.0, "blank": 5.0}
    assert left["excluded"].to_dict() == {"out_of_scope": False, "needs_review": False, "blank": True}
    assert result.included == 9 and sum(result.totals.values()) == 25.0
    assert result.to_dict()["left_out"]["blank"] == {"rows": 1, "hours": 5.0, "excluded": True}


@pytest.mark.parametrize(
    ("options", "included", "hours"),
    [
        ({"exclude_review": True}, 7, 21.0),
        ({"exclude_out_of_scope": True}, 8, 24.0),
        ({"exclude_review": True, "exclude_out_of_scope": True}, 6, 20.0),
    ],
    ids=["review", "out-of-scope", "both"],
)
def test_excluded_rows_leave_the_shares_but_stay_counted(mixed, options, included, hours):
    result = summarize_portfolio(mixed, "task", "hours", group_by="team", **options)
    assert result.included == included and sum(result.totals.values()) == hours
    assert result.groups["team"]["hours"].sum() == hours
    assert result.left_out["rows"].sum() == 4
    for kind, flag in (("needs_review", "exclude_review"), ("out_of_scope", "exclude_out_of_scope")):
        assert bool(result.left_out.loc[kind, "excluded"]) is options.get(flag, False)


def test_top_activities_are_the_most_confident_in_scope_and_deduplicated(mixed):
    top = summarize_portfolio(mixed, "task", "hours", top_n=5).top_activities
    commodity = top[top["label"] == "commodity_outsourceable"]
    # "Reset a password" twice is one activity; the out-of-scope birthday row is never an example;
    # the row that needs review comes after every confident one.
    assert commodity["text"].tolist() == ["Reset a password", "Replace a laptop", "Check a thing"]
    assert commodity.iloc[0][["hours", "rows", "confidence"]].tolist() == [6.0, 2, 0.99]
    business = top[top["label"] == "business_enabling"]
    assert business["text"].tolist() == ["Build the booking app"]  # the other begins alike (four words)
    assert top["label"].tolist()[0] == "ktlo"


def test_rows_need_the_scoring_columns(mixed):
    with pytest.raises(ColumnNotFoundError, match=r"lacks the column\(s\) in_scope that scoring adds"):
        summarize_portfolio(mixed.drop(columns="in_scope"), "task")
    with pytest.raises(InvalidValueError, match="top_n must be a whole number of at least 1, got 0"):
        summarize_portfolio(mixed, "task", top_n=0)


def test_headline_opens_with_the_largest_share_and_its_action(mixed):
    result = summarize_portfolio(mixed, "task", "hours")
    assert headline(result) == (
        "40.0% of this work is commodity: hand it off to a provider; "
        "32.0% builds the business; 28.0% keeps the lights on."
    )
    empty = summarize_portfolio(mixed.iloc[[9]], "task", "hours")
    assert headline(empty) == "No row with text is left in the shares: there is no mix to show."


def test_largest_moves_name_groups_with_the_most_commodity_work(mixed):
    moves = largest_moves(summarize_portfolio(mixed, "task", "hours", group_by="team"))
    assert moves[0] == (
        "Hand off the commodity work of desk — 9.0 hours, 90.0% of all commodity work and 75.0% of its hours."
    )
    assert moves[-1].startswith("Grow business-enabling work from apps, where its share is highest — 61.5% (8.0 hours)")
    assert largest_moves(summarize_portfolio(mixed, "task", "hours")) == []


def test_report_opens_with_the_answer_and_a_header(mixed):
    result = summarize_portfolio(
        mixed,
        "task",
        "hours",
        group_by="team",
        source="sheet.csv",
        model_info={"name": "default", "training_sha256": ["94e0eec71ab13fdd57"], "created": "2026-12-01T10:00"},
    )
    markdown = portfolio_report(result, title="Desk and apps", date="2026-12-07").to_markdown()
    lines = markdown.splitlines()
    from classifier import __version__

    assert lines[2] == (
        "*Source: sheet.csv (10 rows) · Model: default (training data SHA-256 94e0eec71ab1; trained 2026-12-01) · "
        f"Date: 2026-12-07 · it-work-classifier {__version__}*"
    )
    assert lines[4] == f"**{headline(result)}**"
    assert "## The largest moves (by team)" in markdown
    assert markdown.index("## The largest moves") < markdown.index("## Mix overall")


def test_report_tables_use_display_names_one_decimal_and_whole_counts(mixed):
    result = summarize_portfolio(mixed.assign(hours=1), "task", group_by="team")
    markdown = portfolio_report(result, date="2026-12-07").to_markdown()
    assert "| label | items | share | what to do |" in markdown
    assert "| Commodity / outsourceable | 5 | 55.6% | hand off to a provider |" in markdown
    names = " | ".join(LABELS[label].name for label in LABEL_IDS)
    assert f"| team | items | share of all | {names} | commodity items |" in markdown
    assert "| desk | 5 | 55.6% | 20.0% | 80.0% | 0.0% | 4 |" in markdown
    assert "commodity_outsourceable" not in markdown.split("## What was left out")[0]
    assert "0.00" not in markdown and ".00 " not in markdown


def test_report_splits_what_was_left_out(mixed):
    result = summarize_portfolio(mixed, "task", "hours", exclude_review=True)
    markdown = portfolio_report(result, date="2026-12-07").to_markdown()
    section = markdown.split("## What was left out")[1].split("## Representative")[0]
    assert "Of 10 rows, 7 are in the shares." in section
    assert "| Out of scope (no IT work) | 1 | 1.0 | 10.0% | yes: leave them out with --exclude-out-of-scope" in section
    assert "| 2 | 4.0 | 20.0% | no: left out (--exclude-review, exclude_review=True) |" in section
    assert "| Blank text (never labelled) | 1 | 5.0 | 10.0% | no: nothing to label |" in section


def test_activities_are_clipped_with_the_whole_text_on_hover(mixed):
    long = "Reset a password " + "and then unlock the account for the user " * 6
    result = summarize_portfolio(mixed.assign(task=mixed["task"].replace("Replace a laptop", long)), "task", "hours")
    report = portfolio_report(result, date="2026-12-07")
    markdown, page = report.to_markdown(), report.to_html()
    shown = re.search(r"\| (Reset a password and then unlock[^|]*) \|", markdown).group(1)
    assert shown.endswith("…") and len(shown) <= 90
    assert f'<span title="{" ".join(long.split())}">{shown}</span>' in page.replace(long, " ".join(long.split()))


def test_input_html_and_markdown_is_shown_not_run(mixed):
    evil = "<script>alert(1)</script> [click](javascript:alert(2))"
    rows = mixed.assign(team=mixed["team"].replace("apps", evil), task=mixed["task"].replace("Replace a laptop", evil))
    report = portfolio_report(summarize_portfolio(rows, "task", "hours", group_by="team"), date="2026-12-07")
    for text in (report.to_markdown(), report.to_html()):
        assert "<script>" not in text and "&lt;script&gt;" in text
    assert not re.search(r"(?<!\\)\]\(javascript:", report.to_markdown())  # the link is escaped: \[click\](...)
    assert r"\[click\](javascript:alert(2))" in report.to_markdown()


def test_dollar_signs_in_group_names_are_text_not_mathtext(mixed):
    names = {"desk": r"Cost $\frac{$ centre", "apps": "Team $x$ and $y"}
    result = summarize_portfolio(mixed.assign(team=mixed["team"].replace(names)), "task", "hours", group_by="team")
    report = portfolio_report(result, date="2026-12-07")  # raised ValueError from matplotlib's mathtext parser
    assert report.figures["mix_by_team"].startswith(b"\x89PNG")
    assert r"| Cost $\\frac{$ centre |" in report.to_markdown()


def test_long_group_names_are_never_cut(mixed):
    names = {"desk": "Computer and Information Systems Managers", "apps": "Computer and Information Research"}
    result = summarize_portfolio(mixed.assign(team=mixed["team"].replace(names)), "task", "hours", group_by="team")
    markdown = portfolio_report(result, date="2026-12-07").to_markdown()
    assert all(f"| {name} |" in markdown for name in names.values())


def chart_boxes(count):
    table = pd.DataFrame(
        {"hours": np.arange(count, 0, -1.0), "ktlo": 0.2, "commodity_outsourceable": 0.7, "business_enabling": 0.1},
        index=[f"Occupation number {n} with a rather long name, {n}" for n in range(count)],
    )
    figure = mix_chart(table, "occupation", "hours")
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(figure).get_renderer()
    figure.draw(renderer)
    (axes,) = figure.axes
    return figure, axes.get_window_extent(renderer), figure.legends[0].get_window_extent(renderer)


@pytest.mark.parametrize("count", [3, 32, 50], ids=["3", "32", "50"])
def test_chart_grows_with_groups_and_keeps_the_legend_below(count):
    figure, axes, legend = chart_boxes(count)
    assert figure.get_figheight() >= 0.3 * count
    assert legend.y1 <= axes.y0  # below the bars (and their labels), not on them
    width = figure.get_figwidth() * figure.dpi
    assert 0 <= legend.x0 and legend.x1 <= width and legend.y0 >= 0


@pytest.mark.parametrize(
    ("value", "shown"),
    [("two", "'two'"), ("-1", "'-1'"), (float("nan"), "nan"), ("1,5", "'1,5'"), ("inf", "'inf'")],
    ids=["word", "negative", "missing", "comma-decimal", "infinite"],
)
def test_bad_hours_name_row_and_value(fitted_model, timesheet, value, shown):
    timesheet.loc[3, "hours"] = value
    message = (
        rf"hours column 'hours' in tasks\.csv must hold numbers >= 0 \(such as 1\.5\) on every row with text; "
        rf"row 5 has {re.escape(shown)}"
    )
    with pytest.raises(InvalidValueError, match=message):
        analyze_portfolio(timesheet, "task", "hours", model=fitted_model, source="tasks.csv")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"text_column": "text"}, r"column 'text' not found in the data frame; columns are: .* Use text_column="),
        ({"text_column": "task", "hours_column": "hrs"}, r"column 'hrs' not found .* Use hours_column=NAME with one"),
        ({"text_column": "task", "group_by": "squad"}, r"column 'squad' not found .* Use group_by=NAME with one"),
    ],
    ids=["text", "hours", "group"],
)
def test_missing_columns(fitted_model, timesheet, arguments, message):
    with pytest.raises(ColumnNotFoundError, match=message):
        analyze_portfolio(timesheet, model=fitted_model, **arguments)


def test_existing_label_column_is_refused(fitted_model, timesheet):
    with pytest.raises(ColumnNotFoundError, match=r"already has column\(s\) label, which the analysis adds"):
        analyze_portfolio(timesheet.assign(label="x"), "task", model=fitted_model)


def test_non_frame_is_rejected(fitted_model):
    with pytest.raises(TypeError, match="needs a pandas DataFrame, got list"):
        analyze_portfolio(["Patch servers"], "task", model=fitted_model)


def test_all_blank_texts(fitted_model):
    frame = pd.DataFrame({"task": ["", "  "], "hours": ["x", "y"]})
    result = analyze_portfolio(frame, "task", "hours", "task", model=fitted_model)
    assert result.scored == 0 and result.blank == 2
    assert result.overall == dict.fromkeys(LABEL_IDS, 0.0) and result.groups["task"].empty
    assert "No row with text is left in the shares" in portfolio_report(result, date="2026-12-07").to_markdown()


def test_report_has_one_chart_per_group(fitted_model, timesheet, tmp_path):
    result = analyze_portfolio(timesheet, "task", "hours", group_by=["team", "person"], model=fitted_model)
    report = portfolio_report(result, title="Desk and apps")
    assert set(report.figures) == {"mix_by_team", "mix_by_person"}
    paths = report.write(tmp_path)
    assert paths["mix_by_team.png"].is_file() and "data:image/png;base64," in paths["html"].read_text()
    assert result.to_dict()["groups"]["team"][0]["team"] == "apps"


def sheet_csv(tmp_path, teams=("Computer and Information Systems Managers", "Computer and Information Research")):
    path = tmp_path / "sheet.csv"
    pd.DataFrame(
        {
            "team": [teams[0], teams[0], teams[1]],
            "task": ["Reset user passwords", "Replace the broken laptop screen", "Build the customer booking app"],
            "hours": [1, 2, 3],
        }
    ).to_csv(path, index=False)
    return path


def test_cli_prints_the_answer_first_and_whole_group_names(tiny_bundle, tmp_path, capsys):
    from classifier.cli import main

    source = sheet_csv(tmp_path)
    arguments = ["portfolio", str(source), "--text-column", "task", "--hours-column", "hours", "--group-by", "team"]
    assert main([*arguments, "-m", tiny_bundle]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("50.0% of this work is ")
    assert any(line.startswith("  Computer and Information Systems Managers ") for line in lines)
    assert any(line.startswith("  Computer and Information Research ") for line in lines)


def test_cli_passes_the_scoring_and_exclusion_options(tiny_bundle, tmp_path, capsys, monkeypatch):
    import classifier.portfolio
    from classifier.cli import main

    seen = {}
    real = classifier.portfolio.portfolio_file

    def spy(*args, **kwargs):
        seen.update(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(classifier.portfolio, "portfolio_file", spy)
    source = sheet_csv(tmp_path)
    options = ["--exclude-review", "--exclude-out-of-scope", "--min-confidence", "1", "-j", "1"]
    options += ["--priors", "ktlo=0.2,commodity_outsourceable=0.7,business_enabling=0.1"]
    assert main(["portfolio", str(source), "--text-column", "task", "-m", tiny_bundle, *options]) == 0
    assert {key: seen[key] for key in ("exclude_review", "exclude_out_of_scope", "min_confidence", "n_jobs")} == {
        "exclude_review": True,
        "exclude_out_of_scope": True,
        "min_confidence": 1.0,
        "n_jobs": 1,
    }
    assert seen["priors"] == {"ktlo": 0.2, "commodity_outsourceable": 0.7, "business_enabling": 0.1}
    out = capsys.readouterr().out
    assert "3 rows need review: left out of the shares" in out
    assert main(["portfolio", str(source), "--text-column", "task", "-m", tiny_bundle, "-q"]) == 0
    assert capsys.readouterr() == ("", "")


def test_nothing_is_written_when_the_rows_fail(fitted_model, tmp_path, monkeypatch):
    import errno

    from classifier import portfolio_file
    from classifier.tables import TableWriter

    source = sheet_csv(tmp_path)

    def full(self, frame):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(TableWriter, "write", full)
    with pytest.raises(OSError, match="No space left on device"):
        portfolio_file(source, "task", model=fitted_model, report=tmp_path / "rep", output=tmp_path / "rows.parquet")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["sheet.csv"]


def test_a_failed_overwrite_leaves_the_earlier_report_and_rows(fitted_model, tmp_path, monkeypatch):
    import errno

    from classifier import portfolio_file, reports

    source = sheet_csv(tmp_path)
    arguments = {"model": fitted_model, "report": tmp_path / "rep", "output": tmp_path / "rows.csv"}
    portfolio_file(source, "task", group_by="team", **arguments)
    before = {path: path.read_bytes() for path in [tmp_path / "rows.csv", *(tmp_path / "rep").iterdir()]}

    def full(path, content):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(reports, "_write_file", full)
    with pytest.raises(OSError, match="No space left on device"):
        portfolio_file(source, "task", hours_column="hours", group_by="team", overwrite=True, **arguments)
    assert {path: path.read_bytes() for path in [tmp_path / "rows.csv", *(tmp_path / "rep").iterdir()]} == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["rep", "rows.csv", "sheet.csv"]


def test_worker_processes_give_the_same_rows(fitted_model, timesheet, monkeypatch):
    from classifier.portfolio import analysis

    monkeypatch.setattr(analysis, "CHUNK_ROWS", 3)  # three chunks, handed to two workers
    one = analyze_portfolio(timesheet, "task", "hours", model=fitted_model, n_jobs=1)
    two = analyze_portfolio(timesheet, "task", "hours", model=fitted_model, n_jobs=2)
    pd.testing.assert_frame_equal(one.rows, two.rows)
    assert one.totals == two.totals


def test_header_names_the_file_not_its_folders_and_rare_labels_are_flagged(mixed):
    rows = mixed.assign(label=mixed["label"].replace("business_enabling", "ktlo"))
    rows.loc[0, "label"] = "business_enabling"
    rows = pd.concat([rows] + [rows.iloc[[2]]] * 300, ignore_index=True)
    result = summarize_portfolio(rows, "task", "hours", source="/home/ann/exports/sheet.csv")
    markdown = portfolio_report(result, date="2026-12-07").to_markdown()
    assert "*Source: sheet.csv (310 rows)" in markdown and "/home/ann" not in markdown
    assert "Business-enabling is under 1% of this work: so few rows that their examples" in markdown


def test_portfolio_rows_escape_formulas_unless_told_not_to(tiny_bundle, tmp_path, capsys):
    from classifier.cli import main

    source = tmp_path / "in.csv"
    source.write_text('text,team\n"=HYPERLINK(""http://x"",""reset my password"")",desk\n', encoding="utf-8")
    assert main(["portfolio", str(source), "-o", str(tmp_path / "a.csv"), "-m", tiny_bundle, "-q"]) == 0
    assert pd.read_csv(tmp_path / "a.csv")["text"][0].startswith("'=HYPERLINK(")
    argv = ["portfolio", str(source), "-o", str(tmp_path / "b.csv"), "-m", tiny_bundle, "-q", "--no-escape-formulas"]
    assert main(argv) == 0
    assert pd.read_csv(tmp_path / "b.csv")["text"][0].startswith("=HYPERLINK(")


def test_portfolio_rows_too_long_for_excel_are_refused_before_scoring(fitted_model, tmp_path, monkeypatch):
    from classifier import OutputWriteError, portfolio_file

    monkeypatch.setattr("classifier.writers.EXCEL_MAX_ROWS", 3)
    source = tmp_path / "in.csv"
    pd.DataFrame({"text": ["reset my password"] * 4}).to_csv(source, index=False)
    monkeypatch.setattr(type(fitted_model), "decide", lambda *a, **k: pytest.fail("scored before the check"))
    with pytest.raises(OutputWriteError, match=r"in\.csv has 4 rows, more than the 3 an Excel sheet holds"):
        portfolio_file(source, "text", model=fitted_model, output=tmp_path / "rows.xlsx")
    assert list(tmp_path.iterdir()) == [source]
