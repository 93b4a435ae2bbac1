"""Label shares: how a total (rows, activities, hours) divides among the three labels.

The one place that turns per-label totals into shares, for job mixes
(:mod:`classifier.jobs`), portfolios (:mod:`classifier.portfolio`) and scoring
summaries (:mod:`classifier.scoring`).

>>> label_shares({"ktlo": 1.5, "business_enabling": 4.5})
{'ktlo': 0.25, 'commodity_outsourceable': 0.0, 'business_enabling': 0.75}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from classifier.labels import LABEL_IDS

__all__ = ["label_shares", "label_totals", "format_share"]


def label_totals(labels: Iterable[str], weights: Sequence[float] | None = None) -> dict[str, float]:
    """The weight of each label in ``labels``, summed in order (each label counts 1 without weights).

    ``weights[i]`` is the weight of the i-th label.

    >>> label_totals(["ktlo", "ktlo", "business_enabling"], [1, 2, 0.5])
    {'ktlo': 3.0, 'commodity_outsourceable': 0.0, 'business_enabling': 0.5}
    """
    totals = dict.fromkeys(LABEL_IDS, 0.0)
    for index, label in enumerate(labels):
        totals[label] += 1.0 if weights is None else float(weights[index])
    return totals


def label_shares(totals: Mapping[str, float], total: float | None = None) -> dict[str, float]:
    """Each label's share of ``total`` (by default the sum of ``totals``), in ``LABEL_IDS`` order.

    Labels missing from ``totals`` count 0; every share is 0.0 when the total is not positive.

    >>> label_shares({"ktlo": 3}, total=4)
    {'ktlo': 0.75, 'commodity_outsourceable': 0.0, 'business_enabling': 0.0}
    >>> label_shares({})
    {'ktlo': 0.0, 'commodity_outsourceable': 0.0, 'business_enabling': 0.0}
    """
    values = [float(totals.get(label, 0.0)) for label in LABEL_IDS]
    whole = sum(values) if total is None else float(total)
    return {label: (value / whole if whole > 0 else 0.0) for label, value in zip(LABEL_IDS, values)}


def format_share(share: float) -> str:
    """A share as a percentage with one decimal; a share too small (or too close to all) to show says so.

    >>> [format_share(x) for x in (0.8234, 0.003, 0.0, 0.0004, 0.9996, 1.0)]
    ['82.3%', '0.3%', '0.0%', '<0.1%', '>99.9%', '100.0%']
    """
    value = float(share)
    if 0 < value < 0.0005:
        return "<0.1%"
    if 0.9995 <= value < 1:
        return ">99.9%"
    return f"{value:.1%}"
