"""Two baselines an evaluation report compares the model with.

* :class:`MajorityBaseline` always says the most common label of the data it is fitted on;
* :class:`KeywordBaseline` is the rule of thumb an IT leader might apply by hand: a few
  keywords per label, checked in the codebook's order (business-enabling first, then
  commodity), and ktlo for everything else.

>>> KeywordBaseline().fit([], []).predict(["Reset my password", "Launch the customer app", "Patch the claims system"])
['commodity_outsourceable', 'business_enabling', 'ktlo']
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

from classifier.model import check_texts

__all__ = ["MajorityBaseline", "KeywordBaseline", "KEYWORDS"]

KEYWORDS = {
    "business_enabling": (
        "customer", "customers", "revenue", "launch", "new product", "new feature", "market", "sales",
        "growth", "e-commerce", "ecommerce", "checkout", "mobile app", "roadmap", "pricing", "personalis",
        "personaliz", "partner", "subscription", "requirements for", "new capability", "new service",
    ),
    "commodity_outsourceable": (
        "password", "printer", "laptop", "desktop", "pc", "monitor", "keyboard", "mouse", "toner",
        "account", "access", "unlock", "email", "e-mail", "outlook", "mailbox", "office", "vpn", "wifi",
        "wi-fi", "backup", "restore", "licence", "license", "install", "cable", "cabling", "phone",
        "headset", "antivirus", "help desk", "helpdesk", "new starter", "hardware", "network", "server",
        "storage", "disk", "purchase", "order",
    ),
}  # fmt: skip


class KeywordBaseline:
    """Label by keywords: business_enabling words first, then commodity words, else ktlo."""

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> KeywordBaseline:
        self.patterns_ = {
            label: re.compile(r"\b(?:" + "|".join(re.escape(word) for word in words) + r")", re.IGNORECASE)
            for label, words in KEYWORDS.items()
        }
        return self

    def predict(self, texts: Sequence[str]) -> list[str]:
        texts = check_texts(texts)
        out = []
        for text in texts:
            label = next((label for label, pattern in self.patterns_.items() if pattern.search(text)), "ktlo")
            out.append(label)
        return out


class MajorityBaseline:
    """Always predict the most common label seen in ``fit`` (ties: alphabetical)."""

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> MajorityBaseline:
        counts = Counter(labels)
        self.label_ = sorted(counts, key=lambda label: (-counts[label], label))[0]
        return self

    def predict(self, texts: Sequence[str]) -> list[str]:
        return list(np.repeat(self.label_, len(check_texts(texts))))
