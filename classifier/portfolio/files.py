"""From a task list or timesheet file to the portfolio report and the scored rows, all or nothing.

:func:`portfolio_file` checks every output before any work, labels the file,
then writes the rows to a temporary file and the report to a staged directory
(see :mod:`classifier.staging`); only when both are complete do they replace
what was there. A failure on the way (a full disk, a format that cannot hold
the rows) leaves earlier outputs whole and writes nothing new.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

from classifier.model import ITWorkClassifier
from classifier.outputs import check_output_target, check_output_targets
from classifier.portfolio.analysis import PortfolioAnalysis, analyze_portfolio
from classifier.portfolio.report import _safe, portfolio_report

__all__ = ["portfolio_file"]


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
    *,
    exclude_review: bool = False,
    exclude_out_of_scope: bool = False,
    min_confidence: float | None = None,
    priors: str | dict[str, float] | None = None,
    n_jobs: int | None = None,
    progress: bool | None = None,
    title: str = "Where the work goes",
    date: str | None = None,
    escape_formulas: bool = True,
) -> tuple[PortfolioAnalysis, list[str]]:
    """Analyze a task list or timesheet file; write the report directory and the per-row labels if asked.

    Checks the outputs before any work, so an existing file is never half
    replaced, and writes nothing until the analysis, the report and the rows
    have all succeeded. The keyword arguments are those of
    :func:`~classifier.portfolio.analysis.analyze_portfolio` and
    :func:`~classifier.portfolio.report.portfolio_report`. Returns the analysis
    and what was written. ``escape_formulas`` is :func:`~classifier.writers.write_table`'s: CSV and TSV cells
    that a spreadsheet would run as formulas get a leading quote (Excel cells are always text).
    """
    from classifier.tables import TableWriter, atomic_output, read_table, table_format, write_table
    from classifier.writers import check_excel_rows

    groups = [group_by] if isinstance(group_by, str) else list(group_by or [])
    to_stdout = output is not None and str(output) == "-"
    if output is not None and not to_stdout:
        check_output_target(output, overwrite)
        table_format(output)  # an unknown extension fails now, not after the scoring
    if report is not None:
        folder = Path(report)
        names = ["report.md", "report.html", *(f"mix_by_{_safe(column)}.png" for column in groups)]
        check_output_targets([folder / name for name in names], overwrite, what="report output", folder=folder)
    source = "standard input" if str(input) == "-" else str(input)
    frame = read_table(input, encoding)
    if output is not None and not to_stdout and table_format(output) == "excel":
        check_excel_rows(len(frame), f"{source} has", "rows")  # before the scoring, not after
    analysis = analyze_portfolio(
        frame,
        text_column,
        hours_column=hours_column,
        group_by=group_by,
        model=model,
        source=source,
        exclude_review=exclude_review,
        exclude_out_of_scope=exclude_out_of_scope,
        min_confidence=min_confidence,
        priors=priors,
        n_jobs=n_jobs,
        progress=progress,
    )
    document = portfolio_report(analysis, title=title, date=date) if report is not None else None
    written: list[str] = []
    with ExitStack() as stack:
        if output is not None and not to_stdout:
            temporary = stack.enter_context(atomic_output(output, overwrite))  # moved into place on leaving
            writer = TableWriter(temporary, table_format(output), escape_formulas=escape_formulas)
            writer.write(analysis.rows)
            writer.close()
        if document is not None:
            paths = document.write(report, overwrite=overwrite)  # type: ignore[arg-type]  # report is set here
            written += [str(paths["markdown"]), str(paths["html"])]
    if output is not None:
        if to_stdout:
            write_table(analysis.rows, "-", escape_formulas=escape_formulas)
        written.append("standard output" if to_stdout else str(output))
    return analysis, written
