"""Register adaptation: word features whose weight may depend on the kind of text.

Tickets, task statements and user stories use the same words for different
work. "Design lead" in a ticket's sign-off says nothing about the work asked
for; "design" in a task statement usually means new systems. "Wants to access
... accept decline" is a notification, "as a buyer I want ..." a user story.
One set of word weights has to average these readings.

:class:`AdaptedFeatures` implements feature augmentation (Daumé III,
"Frustratingly easy domain adaptation", ACL 2007): besides the shared copy of
every word feature, each *adapted* register (by default ``ticket``) gets a
copy that is non-zero only for texts of that register, plus a bias column. The
linear model then learns what words mean in tickets without changing what they
mean elsewhere, and how rare each label is in tickets.

In training the register of each text is known (the corpus' ``register``
column). When predicting it is not: a :class:`RegisterDetector`, trained on the
same texts' raw lower-cased words, stop words, inflections and punctuation
kept (they mark the kind of text: "wants" and "thanks," against "as a ... so
that" and "ensure."), estimates it, and the register copy is scaled by that
probability. Its words are the whitespace chunks :class:`FastTfidf` already
splits texts into, so the fast route gets them from the same pass. To the
detector, all registers that are not adapted are one class, ``"(other)"``.

Pipeline inputs are pairs ``(normalized text, raw text)``: the word features
read the first, the detector the second.

>>> detector = RegisterDetector(min_df=1).fit(
...     ["hi please reset my password thanks", "printer jammed again pls help",
...      "Configure servers to ensure availability.", "Analyze user needs to design systems."],
...     ["ticket", "ticket", "task_statement", "task_statement"])
>>> detector.classes_.tolist()
['task_statement', 'ticket']
>>> bool(detector.predict_proba(["pls help, outlook crashed thanks"])[0, 1] > 0.5)
True
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin, clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

__all__ = ["AdaptedFeatures", "RegisterDetector", "known_registers", "OTHER_REGISTERS"]

OTHER_REGISTERS = "(other)"  # the detector's class for every register that is not adapted


def known_registers(registers: Sequence[object]) -> list[str | None]:
    """Registers stripped of surrounding space; blank and non-string ones become None.

    >>> known_registers([" ticket", "", None, float("nan")])
    ['ticket', None, None, None]
    """
    return [value.strip() if isinstance(value, str) and value.strip() else None for value in registers]


class RegisterDetector(ClassifierMixin, BaseEstimator):
    """Estimate the register (kind of text) of raw texts from their lower-cased whitespace-separated words.

    Parameters
    ----------
    C : float, default 10.0
        Inverse regularization strength of the logistic regression.
    min_df : int, default 2
        Ignore word n-grams seen in fewer training texts.

    Attributes
    ----------
    vectorizer_ : TfidfVectorizer
        TF-IDF of the lower-cased whitespace chunks of the raw texts.
    classifier_ : LogisticRegression
    classes_ : ndarray of str
        The registers, in the order of :meth:`predict_proba`'s columns.
    """

    def __init__(self, C: float = 10.0, min_df: int = 2) -> None:
        self.C = C
        self.min_df = min_df

    def fit(self, texts: Sequence[str], registers: Sequence[str]) -> RegisterDetector:
        """Fit on raw texts and their registers (at least two different ones). Returns self."""
        if len(set(registers)) < 2:
            raise ValueError(f"a register detector needs at least two registers, got {sorted(set(registers))}")
        self.vectorizer_ = TfidfVectorizer(
            analyzer="word", token_pattern=r"\S+", min_df=self.min_df, sublinear_tf=True, dtype=np.float32
        )
        features = self.vectorizer_.fit_transform(list(texts))
        self.classifier_ = LogisticRegression(C=self.C, max_iter=3000).fit(features, list(registers))
        self.classes_ = self.classifier_.classes_
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probability of each register, shape ``(n_texts, n_registers)``, columns in ``classes_`` order."""
        check_is_fitted(self, "classifier_")
        return self.classifier_.predict_proba(self.vectorizer_.transform(list(texts)))


class AdaptedFeatures(TransformerMixin, BaseEstimator):
    """Word TF-IDF features plus one scaled copy and bias per adapted register (feature augmentation).

    Input: a list of ``(normalized text, raw text)`` pairs. Output columns: the
    shared word features, then for each register in ``adapted_`` its copy of
    them and its bias column.

    Parameters
    ----------
    word : TfidfVectorizer
        The word features (an unfitted template, cloned in ``fit``).
    registers : tuple of str
        Registers to adapt; those with training examples are kept in ``adapted_``.
    detector : RegisterDetector
        Template of the register detector used when predicting.

    Attributes
    ----------
    word_ : TfidfVectorizer
    detector_ : RegisterDetector
    adapted_ : tuple of str
    """

    def __init__(self, word=None, registers: tuple[str, ...] = ("ticket",), detector=None) -> None:
        self.word = word
        self.registers = registers
        self.detector = detector

    def fit(self, pairs, y=None, registers: Sequence[object] | None = None) -> AdaptedFeatures:
        self._fit(*_split(pairs), registers)
        return self

    def fit_transform(self, pairs, y=None, registers: Sequence[object] | None = None) -> sp.csr_matrix:
        """Fit, and augment the training texts by their *given* registers (estimated where missing)."""
        normalized, raw = _split(pairs)
        known = self._fit(normalized, raw, registers)
        weights = np.array([[value == name for name in self.adapted_] for value in known], dtype=np.float32)
        weights = weights.reshape(len(known), len(self.adapted_))
        missing = [index for index, value in enumerate(known) if value is None]
        if missing and self.adapted_:
            weights[missing] = self.register_weights([raw[index] for index in missing])
        return self.augment(self.word_.transform(normalized), weights)

    def _fit(self, normalized: list[str], raw: list[str], registers) -> list[str | None]:
        if registers is None or len(registers) != len(normalized):
            raise ValueError("AdaptedFeatures.fit needs one register (or None) per text")
        known = known_registers(registers)
        self.word_ = clone(self.word if self.word is not None else TfidfVectorizer()).fit(normalized)
        labelled = [index for index, value in enumerate(known) if value is not None]
        present = {known[index] for index in labelled}
        self.adapted_ = tuple(name for name in self.registers if name in present)
        self.detector_ = clone(self.detector if self.detector is not None else RegisterDetector())
        if self.adapted_:  # the other registers are one class to the detector: fewer classes, a 7x faster fit
            targets = [known[index] if known[index] in self.adapted_ else OTHER_REGISTERS for index in labelled]
            self.detector_.fit([raw[index] for index in labelled], targets)
        return known

    def register_weights(self, texts: Sequence[str]) -> np.ndarray:
        """The detector's probability of each adapted register for raw texts, shape ``(n, len(adapted_))``."""
        check_is_fitted(self, "adapted_")
        if not self.adapted_:
            return np.zeros((len(texts), 0), dtype=np.float32)
        return self.register_weights_of(self.detector_.vectorizer_.transform(list(texts)))

    def register_weights_of(self, detector_features: sp.spmatrix) -> np.ndarray:
        """:meth:`register_weights` from the detector's features (``FastTfidf.transform_with_chunks`` gives them)."""
        probabilities = self.detector_.classifier_.predict_proba(detector_features)
        columns = [list(self.detector_.classes_).index(name) for name in self.adapted_]
        return probabilities[:, columns].astype(np.float32)

    def augment(self, features: sp.spmatrix, weights: np.ndarray) -> sp.csr_matrix:
        """``[features, w1 * features, w1, w2 * features, w2, ...]`` for register weights ``w``."""
        features = sp.csr_matrix(features, dtype=np.float32)
        blocks = [features]
        for column in range(weights.shape[1]):
            weight = weights[:, column]
            blocks += [sp.diags(weight) @ features, sp.csr_matrix(weight[:, None])]
        return sp.hstack(blocks, format="csr", dtype=np.float32)

    def transform(self, pairs) -> sp.csr_matrix:
        """Augment texts by their *estimated* registers."""
        normalized, raw = _split(pairs)
        return self.augment(self.word_.transform(normalized), self.register_weights(raw))

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        words = self.word_.get_feature_names_out()
        names = [words]
        for name in self.adapted_:
            names += [
                np.array([f"{name}:{word}" for word in words], dtype=object),
                np.array([f"[{name}]"], dtype=object),
            ]
        return np.concatenate(names)


def _split(pairs) -> tuple[list[str], list[str]]:
    pairs = list(pairs)
    return [pair[0] for pair in pairs], [pair[1] for pair in pairs]
