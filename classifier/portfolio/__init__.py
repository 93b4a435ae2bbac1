"""Portfolios: where a team's time goes, and the report an IT leader can forward.

* :mod:`classifier.portfolio.analysis`: :func:`analyze_portfolio` labels every row of a
  task list or timesheet and sums hours (or items) per label and group;
  :func:`summarize_portfolio` sums rows scored before; :class:`PortfolioAnalysis`;
* :mod:`classifier.portfolio.activities`: :func:`top_activities`, the representative activities of each label;
* :mod:`classifier.portfolio.report`: :func:`portfolio_report`, the answer first, then
  the largest moves, the mix, what was left out and representative activities;
* :mod:`classifier.portfolio.files`: :func:`portfolio_file`, from a file to the report
  directory and the scored rows, written only once everything has succeeded.
"""

from classifier.portfolio.analysis import (
    LEFT_OUT_KINDS,
    PortfolioAnalysis,
    analyze_portfolio,
    describe_model,
    summarize_portfolio,
)
from classifier.portfolio.files import portfolio_file
from classifier.portfolio.report import LABEL_COLOURS, headline, largest_moves, mix_chart, portfolio_report

__all__ = [
    "LEFT_OUT_KINDS",
    "LABEL_COLOURS",
    "PortfolioAnalysis",
    "analyze_portfolio",
    "describe_model",
    "summarize_portfolio",
    "portfolio_file",
    "portfolio_report",
    "headline",
    "largest_moves",
    "mix_chart",
]
