import re

import pandas as pd
import pytest

from classifier import ColumnNotFoundError, InvalidValueError, analyze_portfolio, portfolio_report
from classifier.labels import LABEL_IDS
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


def test_top_activities_sum_rows_with_the_same_text(fitted_model, timesheet):
    result = analyze_portfolio(timesheet, "task", "hours", model=fitted_model, top_n=1)
    top = result.top_activities
    assert top["label"].tolist() == list(LABEL_IDS)
    commodity = top[top["label"] == "commodity_outsourceable"].iloc[0]
    assert commodity["hours"] == 3.0 and commodity["rows"] == 2 and commodity["share_of_label"] == 0.5
    assert commodity["text"].lower().startswith("reset the password")


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


def test_report_has_tables_and_one_chart_per_group(fitted_model, timesheet, tmp_path):
    result = analyze_portfolio(timesheet, "task", "hours", group_by=["team", "person"], model=fitted_model)
    report = portfolio_report(result, title="Desk and apps")
    assert set(report.figures) == {"mix_by_team", "mix_by_person"}
    markdown = report.to_markdown()
    assert markdown.startswith("# Desk and apps\n\n6 rows labelled; 1 rows with blank text left unscored.")
    assert "## Mix per team" in markdown and "| apps | 6.00 | 0.25 | 0.00 | 0.75 |" in markdown
    paths = report.write(tmp_path)
    assert paths["mix_by_team.png"].is_file() and "data:image/png;base64," in paths["html"].read_text()
    assert result.to_dict()["groups"]["team"][0]["team"] == "apps"


def test_portfolio_file_refuses_an_existing_output_before_any_work(tmp_path):
    from classifier import portfolio_file
    from classifier.errors import OutputExistsError

    source = tmp_path / "sheet.csv"
    pd.DataFrame({"task": ["Reset user passwords"], "hours": [1]}).to_csv(source, index=False)
    existing = tmp_path / "rows.csv"
    existing.write_text("keep me")
    with pytest.raises(OutputExistsError, match="rows.csv already exists; pass overwrite=True"):
        portfolio_file(source, "task", hours_column="hours", output=existing, report=tmp_path / "r")
    assert existing.read_text() == "keep me" and not (tmp_path / "r").exists()
