"""Text the CLI prints for each result: plain functions from a library result to a string.

No printing and no library calls here; the handlers in
:mod:`classifier.cli.commands` call the library and print what these return.
"""

from __future__ import annotations

import json

from classifier.labels import LABEL_IDS

__all__ = ["as_json", "predictions", "score_summary", "job", "portfolio"]


def as_json(data) -> str:
    """``data`` as indented JSON."""
    return json.dumps(data, indent=2)


def predictions(items) -> str:
    """One tab-separated line per prediction: label, confidence, flag, top terms, text."""
    lines = []
    for prediction in items:
        terms = ", ".join(term for term, _ in prediction.top_terms) or "-"
        flag = "out of scope" if not prediction.in_scope else "review" if prediction.needs_review else "ok"
        lines.append(f"{prediction.label}\t{prediction.confidence:.2f}\t{flag}\t{terms}\t{prediction.text}")
    return "\n".join(lines)


def score_summary(summary) -> str:
    """Rows scored, the share of each label, rows needing review and the priors used."""
    lines = [f"scored {summary.scored} of {summary.rows} rows ({summary.blank} with blank text left unscored)"]
    for label, share in summary.shares().items():
        lines.append(f"  {label:<26}{share:7.1%}  ({summary.label_counts[label]})")
    lines.append(f"  {summary.needs_review} rows need review ({summary.out_of_scope} of them out of scope)")
    if summary.label_priors:
        shown = ", ".join(f"{label} {share:.1%}" for label, share in summary.label_priors.items())
        lines.append(f"  probabilities adjusted to label priors: {shown}")
    return "\n".join(lines)


def job(analysis) -> str:
    """A job's activities as a table, its label mix, recommendations, high-value activities and set-aside count."""
    lines = [f"{'line':>4}  {'label':<24} {'conf':>5}  activity"]
    for activity in analysis.activities:
        lines.append(f"{activity.line:>4}  {activity.label:<24} {activity.confidence:>5.2f}  {activity.text}")
    lines += ["", analysis.summary()]
    lines += [f"  {line}" for line in analysis.recommendations.values()]
    if analysis.high_value:
        lines.append("high-value activities (business_enabling, most confident first):")
        lines += [f"  {rank}. {activity.text}" for rank, activity in enumerate(analysis.high_value[:5], start=1)]
    counts = analysis.set_aside_counts()
    detail = ", ".join(f"{kind} {count}" for kind, count in counts.items())
    lines.append(f"set aside as no activity: {len(analysis.set_aside)} piece(s)" + (f" ({detail})" if detail else ""))
    return "\n".join(lines)


def portfolio(analysis, written: list[str]) -> str:
    """The answer, the share of hours (or items) per label overall and per group, what was left out, the files."""
    from classifier.portfolio import headline
    from classifier.shares import format_share

    measure = analysis.measure
    left = analysis.left_out
    lines = [
        headline(analysis),
        f"labelled {analysis.scored} of {analysis.scored + analysis.blank} rows "
        f"({analysis.blank} with blank text left unscored); share of {measure}:",
    ]
    for label in LABEL_IDS:
        lines.append(f"  {label:<26}{format_share(analysis.overall[label]):>7}  ({analysis.totals[label]:g} {measure})")
    for kind, what in (("out_of_scope", "out of scope"), ("needs_review", "need review")):
        rows = int(left.loc[kind, "rows"]) if kind in left.index else 0
        if rows:
            excluded = bool(left.loc[kind, "excluded"])
            lines.append(f"  {rows} rows {what}: {'left out of' if excluded else 'counted in'} the shares")
    widths = [max(len(label), 6) + 2 for label in LABEL_IDS]
    for column, table in analysis.groups.items():
        width = max([len(str(column)), *(len(str(name)) for name in table.index)]) + 2  # names are never cut
        lines.append(f"by {column}:")
        lines.append(
            f"  {column:<{width}}{measure:>9}" + "".join(f"{label:>{w}}" for label, w in zip(LABEL_IDS, widths))
        )
        for name, row in table.iterrows():
            shares = "".join(f"{format_share(row[label]):>{w}}" for label, w in zip(LABEL_IDS, widths))
            lines.append(f"  {str(name):<{width}}{row[measure]:>9g}{shares}")
    if written:
        lines.append("wrote " + ", ".join(written))
    return "\n".join(lines)
