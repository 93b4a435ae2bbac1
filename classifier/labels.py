"""The three labels, their display names and actions, and a forgiving parser.

>>> parse_label("Keep the lights on")
'ktlo'
>>> parse_label("Commodity-outsourceable")
'commodity_outsourceable'
>>> parse_label("grow")
'business_enabling'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from classifier.errors import LabelError

__all__ = ["Label", "LABELS", "LABEL_IDS", "KTLO", "COMMODITY", "BUSINESS_ENABLING", "parse_label"]

KTLO = "ktlo"
COMMODITY = "commodity_outsourceable"
BUSINESS_ENABLING = "business_enabling"


@dataclass(frozen=True)
class Label:
    """One label: its id, a display name, the action it implies and a one-line meaning."""

    id: str
    name: str
    action: str
    meaning: str


LABELS: dict[str, Label] = {
    KTLO: Label(
        KTLO,
        "Keep the lights on",
        "sustain at minimum cost: automate and shrink",
        "keeps the organization's own existing systems running as they are",
    ),
    COMMODITY: Label(
        COMMODITY,
        "Commodity / outsourceable",
        "hand off to a provider",
        "standardized IT work that SaaS, IaaS or managed-service providers already sell",
    ),
    BUSINESS_ENABLING: Label(
        BUSINESS_ENABLING,
        "Business-enabling",
        "invest and grow",
        "builds capabilities that customers, revenue and growth depend on",
    ),
}

#: The label ids in the fixed order used for ``classes_`` and probability columns.
LABEL_IDS: tuple[str, ...] = (KTLO, COMMODITY, BUSINESS_ENABLING)

_SPELLINGS: dict[str, str] = {}
for _label_id, _words in {
    KTLO: [
        "ktlo",
        "keep the lights on",
        "keeping the lights on",
        "keep lights on",
        "lights on",
        "run",
        "run the business",
        "rtb",
        "sustain",
        "maintain",
        "maintenance",
        "operate",
    ],
    COMMODITY: [
        "commodity outsourceable",
        "commodity outsourcable",
        "commodity",
        "outsourceable",
        "outsourcable",
        "outsource",
        "outsourced",
        "hand off",
        "handoff",
        "commodity or outsourceable",
    ],
    BUSINESS_ENABLING: [
        "business enabling",
        "business enabler",
        "enabling",
        "grow",
        "grow the business",
        "gtb",
        "transform",
        "transform the business",
        "ttb",
        "invest",
        "innovate",
        "innovation",
        "strategic",
    ],
}.items():
    for _word in _words:
        _SPELLINGS[_word] = _label_id


def _spelling_key(value: str) -> str:
    return " ".join(re.sub(r"[\s_\-/&]+", " ", value.strip().lower()).split())


def parse_label(value: object) -> str:
    """Map a label as users spell it in spreadsheets to one of the three label ids.

    Case, spaces, hyphens and underscores are ignored. Anything else raises
    :class:`~classifier.errors.LabelError` naming the value and the accepted ids.

    >>> parse_label("KTLO")
    'ktlo'
    >>> parse_label("Business_Enabling")
    'business_enabling'
    >>> parse_label("maybe")
    Traceback (most recent call last):
    ...
    classifier.errors.LabelError: unknown label 'maybe'; use one of: ktlo, commodity_outsourceable, business_enabling (or a spelling such as 'keep the lights on', 'outsource', 'grow')
    """
    if not isinstance(value, str):
        raise LabelError(
            f"label must be a string, got {value!r} ({type(value).__name__}); use one of: {', '.join(LABEL_IDS)}"
        )
    key = _spelling_key(value)
    if key.replace(" ", "_") in LABELS:
        return key.replace(" ", "_")
    if key in _SPELLINGS:
        return _SPELLINGS[key]
    raise LabelError(
        f"unknown label {value!r}; use one of: {', '.join(LABEL_IDS)} "
        "(or a spelling such as 'keep the lights on', 'outsource', 'grow')"
    )
