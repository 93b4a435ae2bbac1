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


def _columns(rows: list[list[str]]) -> list[str]:
    """Rows of cells as lines, every column but the last padded to its widest cell, two spaces apart."""
    widths = [max(len(row[index]) for row in rows) for index in range(len(rows[0]) - 1)]
    return ["  ".join([cell.ljust(width) for cell, width in zip(row, widths)] + [row[-1]]).rstrip() for row in rows]


def predictions(items) -> str:
    """A table with one row per prediction: label, confidence, status, best guess, top terms, text.

    A text that describes no IT work (``out of scope``) or has no words (``no
    text``) gets no label: the model's best guess and its probability are in
    the ``best guess`` column, so that they do not read as a confident label.
    """
    rows = [["label", "conf", "status", "best guess", "top terms", "text"]]
    for prediction in items:
        terms = ", ".join(term for term, _ in prediction.top_terms) or "-"
        if not prediction.has_text or not prediction.in_scope:
            status = "no text" if not prediction.has_text else "out of scope"
            guess = f"{prediction.label} {prediction.confidence:.2f}" if prediction.has_text else "-"
            rows.append(["-", "-", status, guess, terms, prediction.text])
        else:
            status = "review" if prediction.needs_review else "ok"
            rows.append([prediction.label, f"{prediction.confidence:.2f}", status, "-", terms, prediction.text])
    return "\n".join(_columns(rows))


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


def _shorten(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3].rstrip() + "..."


def job(analysis) -> str:
    """A job's activities as a table, its label mix, recommendations, high-value activities and set-aside pieces."""
    weighted = analysis.measure != "activities"
    weight = [f"{analysis.measure[:8]:>8}"] if weighted else []
    lines = [" ".join([f"{'line':>4}", f" {'label':<24}", f"{'conf':>5}"] + weight + [" activity"])]
    for activity in analysis.activities:
        cells = [f"{activity.line:>4}", f" {activity.label:<24}", f"{activity.confidence:>5.2f}"]
        cells += [f"{activity.weight:>8.4g}"] if weighted else []
        lines.append(" ".join(cells + [f" {activity.text}"]))
    lines += ["", analysis.summary() + (f" (shares of {analysis.measure})" if weighted else "")]
    lines += [f"  {line}" for line in analysis.recommendations.values()]
    if analysis.high_value:
        lines.append("high-value activities (business_enabling, most confident first):")
        lines += [f"  {rank}. {activity.text}" for rank, activity in enumerate(analysis.high_value[:5], start=1)]
    counts = analysis.set_aside_counts()
    detail = ", ".join(f"{kind} {count}" for kind, count in counts.items())
    lines.append(f"set aside as no activity: {len(analysis.set_aside)} piece(s)" + (f" ({detail}):" if detail else ""))
    kind_width = max((len(piece.kind) for piece in analysis.set_aside), default=0)
    lines += [f"{piece.line:>4}  {piece.kind:<{kind_width}}  {_shorten(piece.text)}" for piece in analysis.set_aside]
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
