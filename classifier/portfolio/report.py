"""The portfolio report an IT leader can forward: the answer first, then the moves, the mix, what was left out.

:func:`portfolio_report` turns a :class:`~classifier.portfolio.analysis.PortfolioAnalysis`
into a :class:`~classifier.reports.Report`:

1. a header line: the source and its rows, the model with its training data's
   SHA-256, the priors, the date and the version;
2. the answer in one sentence (:func:`headline`), e.g. "82.3% of this work is
   commodity: hand it off to a provider; 17.4% keeps the lights on; 0.3% builds
   the business";
3. the largest moves (:func:`largest_moves`): the groups holding the most
   commodity work, the most keep-the-lights-on work, and where business-enabling
   work is largest;
4. the mix overall and per group, with a stacked bar chart that grows with the
   number of groups (up to 50) and keeps its legend below the bars;
5. what was left out of the shares (out of scope, needs review, blank text),
   and how to leave it out or in;
6. representative activities per label: the most confident, one per text,
   clipped, whole on hover.

Percentages have one decimal, counts are whole numbers, labels use their
display names everywhere, and group names are never cut.
"""

from __future__ import annotations

import datetime
import textwrap
from pathlib import PurePath

import numpy as np
import pandas as pd

from classifier.labels import BUSINESS_ENABLING, COMMODITY, KTLO, LABEL_IDS, LABELS
from classifier.portfolio.analysis import LEFT_OUT_KINDS, PortfolioAnalysis
from classifier.reports import Clipped, Format, Report
from classifier.shares import format_share

__all__ = ["portfolio_report", "headline", "largest_moves", "mix_chart", "LABEL_COLOURS", "CHART_GROUPS"]

#: One colour per label in charts, in ``LABEL_IDS`` order (colour-blind safe).
LABEL_COLOURS = {KTLO: "#E69F00", COMMODITY: "#56B4E9", BUSINESS_ENABLING: "#009E73"}
#: The most groups one chart shows (the largest); the table lists them all.
CHART_GROUPS = 50
_WHAT = {
    COMMODITY: ("is commodity: hand it off to a provider", "is commodity"),
    KTLO: ("keeps the lights on: run it at minimum cost", "keeps the lights on"),
    BUSINESS_ENABLING: ("builds the business: invest in it and grow it", "builds the business"),
}
_LEFT_OUT = {
    "out_of_scope": ("Out of scope (no IT work)", "--exclude-out-of-scope", "exclude_out_of_scope=True"),
    "needs_review": (
        "Needs review (below the model's confidence threshold)",
        "--exclude-review",
        "exclude_review=True",
    ),
    "blank": ("Blank text (never labelled)", "", ""),
}


def _amount(value: float, measure: str = "hours") -> str:
    """Items as a whole number; hours with one decimal, always, so that a column of them lines up."""
    value = float(value)
    return f"{round(value):,}" if measure == "items" else f"{value:,.1f}"


def headline(analysis: PortfolioAnalysis) -> str:
    """The answer in one sentence: each label's share, largest first, the largest with what to do about it.

    >>> from classifier.portfolio.analysis import PortfolioAnalysis
    >>> mix = {"ktlo": 0.174, "commodity_outsourceable": 0.823, "business_enabling": 0.003}
    >>> headline(PortfolioAnalysis(None, "hours", {}, mix, {}, None, 10, 0, included=10))
    '82.3% of this work is commodity: hand it off to a provider; 17.4% keeps the lights on; 0.3% builds the business.'
    """
    if analysis.included == 0 or not any(analysis.overall.values()):
        return "No row with text is left in the shares: there is no mix to show."
    first, *rest = sorted(LABEL_IDS, key=lambda label: -analysis.overall[label])
    parts = [f"{format_share(analysis.overall[first])} of this work {_WHAT[first][0]}"]
    parts += [f"{format_share(analysis.overall[label])} {_WHAT[label][1]}" for label in rest]
    return "; ".join(parts) + "."


def largest_moves(analysis: PortfolioAnalysis, column: str | None = None, count: int = 3) -> list[str]:
    """The largest moves, as sentences, for the groups of ``column`` (default: the first group column).

    The ``count`` groups with the most commodity work (hand off), the group with
    the most keep-the-lights-on work (automate and shrink), and the business-enabling
    share by group (where to grow). Empty without groups.
    """
    if not analysis.groups:
        return []
    column = column if column is not None else next(iter(analysis.groups))
    table = analysis.groups[column]
    measure = analysis.measure
    moves = []
    commodity = (table[measure] * table[COMMODITY]).sort_values(ascending=False, kind="stable")
    for name, amount in commodity[commodity > 0].head(count).items():
        moves.append(
            f"Hand off the commodity work of {name} — {_amount(amount, measure)} {measure}, "
            f"{format_share(amount / analysis.totals[COMMODITY])} of all commodity work "
            f"and {format_share(table.loc[name, COMMODITY])} of its {measure}."
        )
    ktlo = (table[measure] * table[KTLO]).sort_values(ascending=False, kind="stable")
    if len(ktlo) and ktlo.iloc[0] > 0:
        name, amount = ktlo.index[0], ktlo.iloc[0]
        moves.append(
            f"Automate and shrink the keep-the-lights-on work of {name} — {_amount(amount, measure)} {measure}, "
            f"{format_share(amount / analysis.totals[KTLO])} of all keep-the-lights-on work "
            f"and {format_share(table.loc[name, KTLO])} of its {measure}."
        )
    grow = table[table[measure] > 0][BUSINESS_ENABLING].sort_values(ascending=False, kind="stable")
    if len(grow) and grow.iloc[0] > 0:
        name = grow.index[0]
        moves.append(
            f"Grow business-enabling work from {name}, where its share is highest — "
            f"{format_share(grow.iloc[0])} ({_amount(table.loc[name, measure] * grow.iloc[0], measure)} {measure}); "
            f"across {len(grow)} {column} values it ranges from {format_share(grow.iloc[-1])} "
            f"to {format_share(grow.iloc[0])}."
        )
    elif len(grow):
        moves.append(f"No {column} has any business-enabling work: none of this work builds the business.")
    return moves


def mix_chart(table: pd.DataFrame, column: str, measure: str, limit: int = CHART_GROUPS):
    """A stacked bar per group (the ``limit`` largest, largest on top) of its share per label.

    The figure grows with the number of groups; long names wrap (never cut);
    the legend sits below the bars; the number right of each bar is its total.
    ``$`` in a name is text, not mathtext.
    """
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    shown = table.head(limit)
    names = [textwrap.fill(str(name), 40) or " " for name in shown.index]
    extra_lines = sum(name.count("\n") for name in names)
    with rc_context({"text.parse_math": False}):
        figure = Figure(figsize=(9, 1.5 + 0.3 * len(shown) + 0.15 * extra_lines), layout="constrained")
        axes = figure.add_subplot()
        positions = np.arange(len(shown))
        left = np.zeros(len(shown))
        for label in LABEL_IDS:
            values = shown[label].to_numpy(float)
            axes.barh(positions, values, left=left, height=0.72, color=LABEL_COLOURS[label], label=LABELS[label].name)
            left += values
        axes.set_yticks(positions, names)
        axes.set_ylim(len(shown) - 0.5, -0.5)  # the largest group on top, as in the table
        axes.set_xlim(0, 1)
        axes.xaxis.set_major_formatter(lambda value, _: f"{value:.0%}")
        axes.set_xlabel(f"share of {measure}")
        axes.set_ylabel(str(column))
        if len(shown) > 15:  # a tall chart: the scale at the top too
            axes.tick_params(axis="x", top=True, labeltop=True)
        for position, total in zip(positions, shown[measure]):
            axes.annotate(
                _amount(total, measure),
                xy=(1, position),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
                color="#444",
                annotation_clip=False,
            )
        for spine in ("top", "right"):
            axes.spines[spine].set_visible(False)
        figure.legend(loc="outside lower center", ncol=3, frameon=False)
    return figure


def _header(analysis: PortfolioAnalysis, date: str) -> str:
    from classifier import __version__

    info = analysis.model_info
    rows = len(analysis.rows)
    source = analysis.source
    if source not in ("standard input", "the data frame"):
        source = PurePath(source).name  # the file, not the folders of whoever ran it
    parts = [f"Source: {source} ({rows:,} row{'s' if rows != 1 else ''})"]
    if info:
        model = f"Model: {info.get('name')}"
        hashes = info.get("training_sha256")
        hashes = list(hashes) if isinstance(hashes, (list, tuple)) else []
        details = [f"training data SHA-256 {', '.join(str(h)[:12] for h in hashes)}"] if hashes else []
        if info.get("created"):
            details.append(f"trained {str(info['created'])[:10]}")
        parts.append(model + (f" ({'; '.join(details)})" if details else ""))
        priors = info.get("priors")
        if isinstance(priors, dict):
            parts.append("Priors: " + ", ".join(f"{LABELS[k].name} {format_share(v)}" for k, v in priors.items()))
    parts += [f"Date: {date}", f"it-work-classifier {__version__}"]
    return " · ".join(parts)


def _in_shares(analysis: PortfolioAnalysis) -> str:
    left = analysis.left_out
    measure = analysis.measure
    counted = [
        kind for kind in ("out_of_scope", "needs_review") if left.loc[kind, "rows"] and not left.loc[kind, "excluded"]
    ]
    if measure == "items":
        text = f"Shares are of {analysis.included:,} rows (each row counts once)."
    else:
        text = f"Shares are of {_amount(sum(analysis.totals.values()), measure)} hours in {analysis.included:,} rows."
    if counted:
        what = {"out_of_scope": "rows out of scope", "needs_review": "rows that need review"}
        names = " and ".join(f"{left.loc[kind, 'rows']:,} {what[kind]}" for kind in counted)
        text += f" They include {names}: see What was left out."
    return text


def portfolio_report(
    analysis: PortfolioAnalysis, title: str = "Where the work goes", date: str | None = None
) -> Report:
    """The report of an analysis (see the module's description); ``date`` defaults to today (UTC)."""
    measure = analysis.measure
    report = Report(title)
    report.paragraph(_header(analysis, date or datetime.datetime.now(datetime.UTC).date().isoformat()), "note")
    report.paragraph(headline(analysis), "lead")
    report.paragraph(_in_shares(analysis))
    moves = largest_moves(analysis)
    if moves:
        report.heading(f"The largest moves (by {next(iter(analysis.groups))})")
        report.bullets(moves)

    report.heading("Mix overall")
    overall = pd.DataFrame(
        {
            "label": [LABELS[label].name for label in LABEL_IDS],
            measure: [analysis.totals[label] for label in LABEL_IDS],
            "share": [analysis.overall[label] for label in LABEL_IDS],
            "what to do": [LABELS[label].action for label in LABEL_IDS],
        }
    )
    amount = lambda value: _amount(value, measure)  # noqa: E731
    report.table(overall, formats={measure: amount, "share": format_share})

    whole = sum(analysis.totals.values())
    for column, table in analysis.groups.items():
        report.heading(f"Mix per {column}")
        shown = pd.DataFrame(
            {
                column: [str(name) for name in table.index],
                measure: table[measure].to_numpy(),
                "share of all": (table[measure] / whole if whole > 0 else table[measure] * 0).to_numpy(),
                **{LABELS[label].name: table[label].to_numpy() for label in LABEL_IDS},
                f"commodity {measure}": (table[measure] * table[COMMODITY]).to_numpy(),
            }
        )
        formats = {name: format_share for name in ["share of all", *(LABELS[label].name for label in LABEL_IDS)]}
        report.table(shown, formats={**formats, measure: amount, f"commodity {measure}": amount})
        if len(table):
            caption = (
                f"Share of {measure} per label for each {column}, largest first; "
                f"the number right of each bar is its {measure}"
            )
            if len(table) > CHART_GROUPS:
                caption += f" (the {CHART_GROUPS} largest of {len(table)}; the table lists all)"
            report.figure(mix_chart(table, column, measure), caption, f"mix_by_{_safe(column)}")

    _left_out_section(report, analysis)
    _activities_section(report, analysis)
    return report


def _left_out_section(report: Report, analysis: PortfolioAnalysis) -> None:
    left = analysis.left_out
    measure = analysis.measure
    report.heading("What was left out")
    total_rows = len(analysis.rows)
    report.paragraph(
        f"Of {total_rows:,} rows, {analysis.included:,} are in the shares. Out-of-scope rows hold no IT work "
        "(greetings, spam, personal messages); rows that need review have a label the model is not sure of. "
        "Both are counted in the shares unless left out; blank rows never are."
    )
    table = pd.DataFrame(
        {
            "rows": [int(left.loc[kind, "rows"]) for kind in LEFT_OUT_KINDS],
            **({measure: [left.loc[kind, measure] for kind in LEFT_OUT_KINDS]} if measure == "hours" else {}),
            "share of rows": [left.loc[kind, "rows"] / total_rows if total_rows else 0.0 for kind in LEFT_OUT_KINDS],
            "in the shares": [_in_or_out(kind, bool(left.loc[kind, "excluded"])) for kind in LEFT_OUT_KINDS],
        },
        index=pd.Index([_LEFT_OUT[kind][0] for kind in LEFT_OUT_KINDS], name="rows left out or in doubt"),
    )
    formats: dict[str, Format] = {"rows": "{:,}", "share of rows": format_share}
    if measure in table:
        formats[measure] = _amount
    report.table(table, formats=formats)


def _in_or_out(kind: str, excluded: bool) -> str:
    _, flag, parameter = _LEFT_OUT[kind]
    if kind == "blank":
        return "no: nothing to label"
    if excluded:
        return f"no: left out ({flag}, {parameter})"
    return f"yes: leave them out with {flag} ({parameter} in Python)"


def _activities_section(report: Report, analysis: PortfolioAnalysis) -> None:
    measure = analysis.measure
    top = analysis.top_activities
    report.heading("Representative activities")
    report.paragraph(
        "The most confident rows of each label that are in scope, those that need no review first; rows with the "
        "same text are counted together, and texts that begin alike are shown once. Long texts are cut: in the "
        "HTML report, hover over one to read it whole."
    )
    if top.empty:
        report.paragraph("No row was labelled with confidence.")
        return
    rare = [LABELS[label].name for label in LABEL_IDS if 0 < analysis.overall[label] < 0.01]
    if rare:
        report.paragraph(
            f"{' and '.join(rare)} {'is' if len(rare) == 1 else 'are'} under 1% of this work: "
            "so few rows that their examples are worth checking by hand."
        )
    shown = pd.DataFrame(
        {
            "label": [LABELS[label].name for label in top["label"]],
            "activity": [Clipped(str(text), 90) for text in top["text"]],
            measure: top[measure].to_numpy(),
            "rows": top["rows"].astype(int).to_numpy(),
            "confidence": top["confidence"].to_numpy(),
        }
    )
    report.table(
        shown, formats={measure: lambda value: _amount(value, measure), "rows": "{:,}", "confidence": "{:.2f}"}
    )


def _safe(name: object) -> str:
    cleaned = "".join(character if character.isalnum() or character in "_-" else "_" for character in str(name))
    return cleaned.strip("_")[:60] or "group"
