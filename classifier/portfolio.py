"""Where a team's time goes: the share of hours (or of items) per label, overall and per group.

:func:`analyze_portfolio` takes a task list or timesheet export as a
DataFrame, labels every row with :func:`~classifier.scoring.score_frame`, and
sums the rows per label: overall, per group column (team, person, system),
and per activity (the most frequent or most time-consuming tasks of each
label). Rows with blank text are kept, unscored, and counted.

Without ``model`` the shipped model labels the rows; here a toy one does:

>>> import pandas as pd
>>> from classifier import ITWorkClassifier
>>> model = ITWorkClassifier(scope_quantile=None).fit(
...     ["reset my password", "replace the broken laptop", "build the customer booking app",
...      "launch online ordering for customers", "patch our claims system", "fix the nightly billing batch job"],
...     ["commodity_outsourceable"] * 2 + ["business_enabling"] * 2 + ["ktlo"] * 2)
>>> tasks = pd.DataFrame({
...     "team": ["desk", "desk", "apps"],
...     "task": ["Reset user passwords", "Replace laptop batteries", "Build the customer booking app"],
...     "hours": ["1", "3", "4"]})
>>> result = analyze_portfolio(tasks, "task", hours_column="hours", group_by="team", model=model)
>>> result.overall
{'ktlo': 0.0, 'commodity_outsourceable': 0.5, 'business_enabling': 0.5}
>>> float(result.groups["team"].loc["desk", "commodity_outsourceable"])
1.0
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from classifier.errors import ColumnNotFoundError, InvalidValueError
from classifier.labels import LABEL_IDS, LABELS
from classifier.model import ITWorkClassifier
from classifier.outputs import check_output_target
from classifier.reports import Report
from classifier.scoring import output_columns, score_frame
from classifier.shares import label_shares
from classifier.tables import check_columns

__all__ = ["PortfolioAnalysis", "analyze_portfolio", "portfolio_file", "portfolio_report"]

#: One colour per label in charts, in ``LABEL_IDS`` order (colour-blind safe).
LABEL_COLOURS = {"ktlo": "#E69F00", "commodity_outsourceable": "#56B4E9", "business_enabling": "#009E73"}
_BLANK_GROUP = "(blank)"


@dataclass(frozen=True)
class PortfolioAnalysis:
    """What :func:`analyze_portfolio` found.

    ``measure`` is ``"hours"`` or ``"items"``. ``rows`` is the input with
    ``label``, ``confidence`` and ``p_<label>`` columns added. ``totals`` and
    ``overall`` are the hours (or items) and share per label over scored rows;
    ``groups`` holds, per group column, a table indexed by group value with
    the total and the share per label; ``top_activities`` the largest
    activities (rows with the same text, ignoring case and spacing, summed)
    in each label.
    """

    rows: pd.DataFrame
    measure: str
    totals: dict[str, float]
    overall: dict[str, float]
    groups: dict[str, pd.DataFrame]
    top_activities: pd.DataFrame
    scored: int
    blank: int

    def to_dict(self) -> dict[str, object]:
        """The summary (not the rows) as plain data, ready for ``json.dumps``."""
        return {
            "measure": self.measure,
            "scored": self.scored,
            "blank": self.blank,
            "totals": dict(self.totals),
            "overall": dict(self.overall),
            "groups": {name: table.reset_index().to_dict(orient="records") for name, table in self.groups.items()},
            "top_activities": self.top_activities.to_dict(orient="records"),
        }


def _as_list(group_by: str | Sequence[str] | None) -> list[str]:
    if group_by is None:
        return []
    if isinstance(group_by, str):
        return [group_by]
    return list(group_by)


def _hours(frame: pd.DataFrame, column: str, usable: np.ndarray, source: str) -> np.ndarray:
    values = np.zeros(len(frame))
    problems = []
    for position, value in enumerate(frame[column].tolist()):
        if not usable[position]:
            continue
        number = None
        if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
            number = float(value)
        elif isinstance(value, str):
            try:
                number = float(value.strip())
            except ValueError:
                number = None
        if number is None or not math.isfinite(number) or number < 0:
            problems.append(f"row {position + 2} has {value!r}")
            if len(problems) == 5:
                break
        else:
            values[position] = number
    if problems:
        raise InvalidValueError(
            f"hours column {column!r} in {source} must hold numbers >= 0 (such as 1.5) on every row with text; "
            f"{'; '.join(problems)} (rows numbered as in a spreadsheet, header = row 1). Fix or delete those rows"
        )
    return values


def analyze_portfolio(
    df: pd.DataFrame,
    text_column: str,
    hours_column: str | None = None,
    group_by: str | Sequence[str] | None = None,
    model: ITWorkClassifier | None = None,
    top_n: int = 5,
    source: str = "the data frame",
) -> PortfolioAnalysis:
    """Label every row of ``df`` and sum hours (or items, without ``hours_column``) per label and group.

    ``group_by`` is a column name or a list of them; each gets its own table.
    ``source`` names the input in error messages (e.g. the file name).
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"analyze_portfolio needs a pandas DataFrame, got {type(df).__name__}; see read_table")
    groups = _as_list(group_by)
    needed = {"text_column": text_column}
    if hours_column is not None:
        needed["hours_column"] = hours_column
    for column in groups:
        check_columns(df, {"group_by": column}, source)
    check_columns(df, needed, source)
    clashes = [column for column in output_columns() if column in df.columns]
    if clashes:
        raise ColumnNotFoundError(
            f"{source} already has column(s) {', '.join(clashes)}, which the analysis adds; rename them first"
        )
    if model is None:
        from classifier.persistence import load_model

        model = load_model()
    rows = score_frame(df.reset_index(drop=True), text_column, model=model)
    usable = rows["label"].notna().to_numpy()
    measure = "hours" if hours_column is not None else "items"
    weights = _hours(rows, hours_column, usable, source) if hours_column is not None else usable.astype(float)

    work = pd.DataFrame({"label": rows["label"], "_weight": weights, "_text": rows[text_column]})[usable]
    for column in groups:
        work[column] = [
            _BLANK_GROUP if value is None or (isinstance(value, str) and not value.strip()) or value != value else value
            for value in rows.loc[usable, column].tolist()
        ]
    totals = work.groupby("label")["_weight"].sum().reindex(list(LABEL_IDS), fill_value=0.0)
    overall = label_shares(totals)

    group_tables = {}
    for column in groups:
        table = work.pivot_table(index=column, columns="label", values="_weight", aggfunc="sum", fill_value=0.0)
        table = table.reindex(columns=list(LABEL_IDS), fill_value=0.0)
        total = table.sum(axis=1)
        shares = table.div(total.where(total > 0, 1.0), axis=0)
        shares.insert(0, measure, total)
        shares.columns.name = None
        group_tables[column] = shares.sort_values(measure, ascending=False, kind="stable")

    work["_key"] = work["_text"].map(lambda text: " ".join(text.lower().split()))
    grouped = work.groupby(["label", "_key"], sort=False).agg(
        text=("_text", lambda texts: texts.mode().iloc[0]), total=("_weight", "sum"), rows=("_weight", "size")
    )
    grouped = grouped.reset_index().drop(columns="_key")
    grouped["share_of_label"] = grouped["total"] / grouped["label"].map(totals).astype(float).where(
        lambda t: t > 0, 1.0
    )
    grouped = grouped.rename(columns={"total": measure})
    top = (
        grouped.sort_values(["label", measure, "rows"], ascending=[True, False, False], kind="stable")
        .groupby("label", sort=False)
        .head(top_n)
    )
    top["label"] = pd.Categorical(top["label"], categories=list(LABEL_IDS), ordered=True)
    top = top.sort_values(["label", measure], ascending=[True, False], kind="stable").reset_index(drop=True)
    top["label"] = top["label"].astype(str)
    return PortfolioAnalysis(
        rows=rows,
        measure=measure,
        totals={label: float(value) for label, value in totals.items()},
        overall=overall,
        groups=group_tables,
        top_activities=top[["label", "text", measure, "rows", "share_of_label"]],
        scored=int(usable.sum()),
        blank=int((~usable).sum()),
    )


def _mix_chart(table: pd.DataFrame, column: str, measure: str):
    from matplotlib.figure import Figure

    shown = table.head(30).iloc[::-1]
    figure = Figure(figsize=(8, 1.6 + 0.35 * len(shown)))
    axes = figure.add_subplot()
    left = np.zeros(len(shown))
    names = [str(name) for name in shown.index]
    for label in LABEL_IDS:
        values = shown[label].to_numpy(float)
        axes.barh(names, values, left=left, color=LABEL_COLOURS[label], label=LABELS[label].name)
        left += values
    axes.set_xlim(0, 1)
    axes.xaxis.set_major_formatter(lambda value, _: f"{value:.0%}")
    axes.set_xlabel(f"share of {measure}")
    axes.set_ylabel(column)
    axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False)
    figure.tight_layout()
    return figure


def portfolio_report(analysis: PortfolioAnalysis, title: str = "Where the work goes") -> Report:
    """A report of the analysis: the mix overall, a table and stacked bar chart per group, top activities."""
    measure = analysis.measure
    report = Report(title)
    report.paragraph(
        f"{analysis.scored} rows labelled"
        + (f"; {analysis.blank} rows with blank text left unscored" if analysis.blank else "")
        + f". Shares are of {measure}"
        + (" (each row counts once)" if measure == "items" else "")
        + "."
    )
    report.heading("Mix overall")
    overall = pd.DataFrame(
        {
            "label": list(LABEL_IDS),
            measure: [analysis.totals[label] for label in LABEL_IDS],
            "share": [analysis.overall[label] for label in LABEL_IDS],
            "what to do": [LABELS[label].action for label in LABEL_IDS],
        }
    )
    report.table(overall, float_format="{:.2f}")
    for column, table in analysis.groups.items():
        report.heading(f"Mix per {column}")
        report.table(table, float_format="{:.2f}")
        caption = f"Share of {measure} per label for each {column}"
        if len(table) > 30:
            caption += f" (the 30 largest of {len(table)})"
        report.figure(_mix_chart(table, column, measure), caption, f"mix_by_{_safe(column)}")
    report.heading(f"Top activities per label (by {measure})")
    report.table(analysis.top_activities, float_format="{:.2f}")
    return report


def _safe(name: object) -> str:
    cleaned = "".join(character if character.isalnum() or character in "_-" else "_" for character in str(name))
    return cleaned.strip("_")[:60] or "group"


def portfolio_file(
    input: str | os.PathLike,
    text_column: str,
    hours_column: str | None = None,
    group_by: str | Sequence[str] | None = None,
    model: ITWorkClassifier | None = None,
    report: str | os.PathLike | None = None,
    output: str | os.PathLike | None = None,
    overwrite: bool = False,
    encoding: str | None = None,
) -> tuple[PortfolioAnalysis, list[str]]:
    """Analyze a task list or timesheet file; write the report and the per-row labels if asked.

    Checks the outputs before any work, so an existing file is never half
    replaced. Returns the analysis and what was written.
    """
    from classifier.tables import read_table, write_table

    if output is not None and str(output) != "-":
        check_output_target(output, overwrite)
    source = "standard input" if str(input) == "-" else str(input)
    analysis = analyze_portfolio(
        read_table(input, encoding),
        text_column,
        hours_column=hours_column,
        group_by=group_by,
        model=model,
        source=source,
    )
    written: list[str] = []
    if report is not None:
        paths = portfolio_report(analysis).write(report, overwrite=overwrite)
        written += [str(paths["markdown"]), str(paths["html"])]
    if output is not None:
        write_table(analysis.rows, output, overwrite=overwrite)
        written.append("standard output" if str(output) == "-" else str(output))
    return analysis, written
