"""Register adaptation: word features whose weight may depend on the kind of text.

Tickets, task statements and user stories use the same words for different
work. "Design lead" in a ticket's sign-off says nothing about the work asked
for; "design" in a task statement usually means new systems. "Wants to access
... accept decline" is a notification, "as a buyer I want ..." a user story.
One set of word weights has to average these readings.

:class:`RegisterAdaptation` implements feature augmentation (Daumé III,
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
probability. Its words are the texts' lower-cased whitespace chunks, counted
by a :class:`~classifier.word_tfidf.WordTfidf` with ``normalize=False``. To
the detector, all registers that are not adapted are one class, ``"(other)"``.

Both read raw texts; :class:`RegisterAdaptation` owns the layout of its
columns, and :meth:`RegisterAdaptation.word_direction` folds a linear model's
coefficients over that layout back onto the word features (for explanations).

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
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from classifier.predictions import TextInputMixin, check_texts
from classifier.word_tfidf import ChunkBatches, ChunkIndex, WordTfidf

__all__ = [
    "RegisterAdaptation",
    "RegisterDetector",
    "known_registers",
    "restore_logistic",
    "OTHER_REGISTERS",
    "MIN_REGISTER_EXAMPLES",
]

OTHER_REGISTERS = "(other)"  # the detector's class for every register that is not adapted
#: A register needs this many training examples to be adapted, or for its label mix to be kept.
MIN_REGISTER_EXAMPLES = 30


def known_registers(registers: Sequence[object]) -> list[str | None]:
    """Registers stripped of surrounding space; blank and non-string ones become None.

    >>> known_registers([" ticket", "", None, float("nan")])
    ['ticket', None, None, None]
    """
    return [value.strip() if isinstance(value, str) and value.strip() else None for value in registers]


def registers_to_adapt(
    wanted: tuple[str, ...], registers: Sequence[object] | None, min_examples: int = MIN_REGISTER_EXAMPLES
) -> tuple[str, ...]:
    """The registers of ``wanted`` with at least ``min_examples`` examples, if there are others to tell them from.

    >>> registers_to_adapt(("ticket",), ["ticket"] * 3 + ["story"], min_examples=3)
    ('ticket',)
    >>> registers_to_adapt(("ticket",), ["ticket"] * 3, min_examples=3)
    ()
    """
    if registers is None or not wanted:
        return ()
    known = known_registers(registers)
    counts = {name: known.count(name) for name in set(known) - {None}}
    if len(counts) < 2:
        return ()
    return tuple(name for name in wanted if counts.get(name, 0) >= min_examples)


def restore_logistic(
    template: LogisticRegression, classes: Sequence[object], coef: np.ndarray, intercept: np.ndarray
) -> LogisticRegression:
    """A fitted logistic regression from checked values: ``template`` (built by our code) gets its weights.

    ``coef`` has one row per class, or one row for two classes (as ``fit`` leaves it); ``intercept`` one
    value per row. Returns ``template``.

    >>> model = restore_logistic(LogisticRegression(), ["a", "b"], np.array([[2.0]]), np.array([0.0]))
    >>> model.predict(np.array([[1.0], [-1.0]])).tolist()
    ['b', 'a']
    """
    coef, intercept = np.asarray(coef), np.asarray(intercept)
    rows = 1 if len(classes) == 2 else len(classes)
    if coef.ndim != 2 or coef.shape[0] != rows or intercept.shape != (rows,):
        raise ValueError(
            f"{len(classes)} classes need coefficients of shape ({rows}, n_features) and {rows} intercepts; "
            f"got {coef.shape} and {intercept.shape}"
        )
    template.classes_ = np.asarray(classes)
    template.coef_, template.intercept_ = coef, intercept
    template.n_features_in_ = coef.shape[1]
    return template


class RegisterDetector(TextInputMixin, ClassifierMixin, BaseEstimator):
    """Estimate the register (kind of text) of raw texts from their lower-cased whitespace-separated words.

    Parameters
    ----------
    C : float, default 10.0
        Inverse regularization strength of the logistic regression.
    min_df : int, default 2
        Ignore words seen in fewer training texts.

    Attributes
    ----------
    vectorizer_ : WordTfidf
        TF-IDF of the lower-cased whitespace chunks of the raw texts.
    classifier_ : LogisticRegression
    classes_ : ndarray of str
        The registers, in the order of :meth:`predict_proba`'s columns.
    """

    def __init__(self, *, C: float = 10.0, min_df: int = 2) -> None:
        self.C = C
        self.min_df = min_df

    def fit(self, texts: Sequence[str], registers: Sequence[str]) -> RegisterDetector:
        """Fit on raw texts and their registers (at least two different ones). Returns self."""
        if len(set(registers)) < 2:
            raise ValueError(f"a register detector needs at least two registers, got {sorted(set(registers))}")
        self.vectorizer_ = self._vectorizer()
        features = self.vectorizer_.fit_transform(texts)
        self.classifier_ = self._classifier().fit(features, list(registers))
        self.classes_ = self.classifier_.classes_
        return self

    def _vectorizer(self) -> WordTfidf:
        return WordTfidf(ngram_range=(1, 1), min_df=self.min_df, normalize=False)

    def _classifier(self) -> LogisticRegression:
        return LogisticRegression(C=self.C, max_iter=3000)

    def restore(
        self, terms: Sequence[str], idf: np.ndarray, classes: Sequence[str], coef: np.ndarray, intercept: np.ndarray
    ) -> RegisterDetector:
        """Set the fitted state from checked values (vocabulary, IDF, registers, weights). Returns self.

        The vectorizer and the logistic regression are built here, as in ``fit``; model bundles call this.
        """
        self.vectorizer_ = self._vectorizer().restore(terms, idf)
        self.classifier_ = restore_logistic(self._classifier(), classes, coef, intercept)
        self.classes_ = self.classifier_.classes_
        return self

    def predict_proba(self, texts: Sequence[str], batches: ChunkBatches | None = None) -> np.ndarray:
        """Probability of each register, shape ``(n_texts, n_registers)``, columns in ``classes_`` order.

        ``batches``: the texts already split by :meth:`ChunkBatches.of`, shared with other feature blocks.
        """
        check_is_fitted(self, "classifier_")
        if batches is None:
            return self.classifier_.predict_proba(self.vectorizer_.transform(texts))
        return self.classifier_.predict_proba(self.vectorizer_.transform_chunks(batches, check_texts(texts)))


class RegisterAdaptation(TextInputMixin, TransformerMixin, BaseEstimator):
    """Word TF-IDF features plus one scaled copy and bias per adapted register (feature augmentation).

    Input: raw texts. Output columns: the shared word features, then for each
    register in ``adapted_`` its copy of them and its bias column.

    Parameters
    ----------
    word : WordTfidf
        The word features (an unfitted template, cloned in ``fit``).
    registers : tuple of str
        Registers to adapt; those with training examples are kept in ``adapted_``.
    detector : RegisterDetector
        Template of the register detector used when predicting.

    Attributes
    ----------
    word_ : WordTfidf
    detector_ : RegisterDetector
    adapted_ : tuple of str
    """

    def __init__(self, *, word=None, registers: tuple[str, ...] = ("ticket",), detector=None) -> None:
        self.word = word
        self.registers = registers
        self.detector = detector

    def fit(self, texts: Sequence[str], y=None, registers: Sequence[object] | None = None) -> RegisterAdaptation:
        self.fit_transform(texts, y, registers=registers)
        return self

    def fit_transform(self, texts: Sequence[str], y=None, registers: Sequence[object] | None = None) -> sp.csr_matrix:
        """Fit, and augment the training texts by their *given* registers (estimated where missing)."""
        texts = check_texts(texts)
        if registers is None or len(registers) != len(texts):
            raise ValueError("RegisterAdaptation.fit needs one register (or None) per text")
        known = known_registers(registers)
        self.word_ = clone(self.word if self.word is not None else WordTfidf())
        words = self.word_.fit(texts).transform(texts)  # canonical CSR (sorted indices), as predicting sees it
        labelled = [index for index, value in enumerate(known) if value is not None]
        present = {known[index] for index in labelled}
        self.adapted_ = tuple(name for name in self.registers if name in present)
        self.detector_ = clone(self.detector if self.detector is not None else RegisterDetector())
        if self.adapted_:  # the other registers are one class to the detector: fewer classes, a 7x faster fit
            targets = [known[index] if known[index] in self.adapted_ else OTHER_REGISTERS for index in labelled]
            self.detector_.fit([texts[index] for index in labelled], targets)
        weights = np.array([[value == name for name in self.adapted_] for value in known], dtype=np.float32)
        weights = weights.reshape(len(known), len(self.adapted_))
        missing = [index for index, value in enumerate(known) if value is None]
        if missing and self.adapted_:
            weights[missing] = self.register_weights([texts[index] for index in missing])
        return self._augment(words, weights)

    def register_weights(self, texts: Sequence[str], batches: ChunkBatches | None = None) -> np.ndarray:
        """The detector's probability of each adapted register for raw texts, shape ``(n, len(adapted_))``."""
        check_is_fitted(self, "adapted_")
        if not self.adapted_:
            return np.zeros((len(texts), 0), dtype=np.float32)
        probabilities = self.detector_.predict_proba(texts, batches)
        columns = [list(self.detector_.classes_).index(name) for name in self.adapted_]
        return probabilities[:, columns].astype(np.float32)

    @staticmethod
    def _augment(features: sp.spmatrix, weights: np.ndarray) -> sp.csr_matrix:
        """``[features, w1 * features, w1, w2 * features, w2, ...]`` for register weights ``w``."""
        features = sp.csr_matrix(features, dtype=np.float32)
        blocks = [features]
        for column in range(weights.shape[1]):
            weight = weights[:, column]
            blocks += [sp.diags(weight) @ features, sp.csr_matrix(weight[:, None])]
        return sp.hstack(blocks, format="csr", dtype=np.float32)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Augment raw texts by their *estimated* registers."""
        check_is_fitted(self, "adapted_")
        texts = check_texts(texts)
        index = getattr(self, "_chunk_index", None)
        if index is None:
            index = self._chunk_index = ChunkIndex(self.word_.max_chunks)
        batches = ChunkBatches.of(texts, index)  # split once, for the word features and the detector
        return self._augment(self.word_.transform_chunks(batches, texts), self.register_weights(texts, batches))

    def restore(self, word, detector: RegisterDetector, adapted: tuple[str, ...]) -> RegisterAdaptation:
        """Set the fitted state: the fitted word block and detector, and the adapted registers. Returns self."""
        self.word_, self.detector_, self.adapted_ = word, detector, tuple(adapted)
        return self

    def word_direction(self, direction: np.ndarray, text: str) -> np.ndarray:
        """Fold a weight vector over this block's columns onto the word features, for one raw ``text``.

        A word's weight is its shared weight plus each register copy's weight
        times how much ``text`` reads like that register.
        """
        n_words = len(self.word_.get_feature_names_out())
        weights = self.register_weights([text])[0]
        blocks = np.asarray(direction[n_words:]).reshape(len(weights), n_words + 1)[:, :n_words]
        return direction[:n_words] + weights @ blocks

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        words = self.word_.get_feature_names_out()
        names = [words]
        for name in self.adapted_:
            names += [
                np.array([f"{name}:{word}" for word in words], dtype=object),
                np.array([f"[{name}]"], dtype=object),
            ]
        return np.concatenate(names)

    def __getstate__(self) -> dict:
        state = dict(super().__getstate__())  # a copy: BaseEstimator hands out the live __dict__
        state.pop("_chunk_index", None)  # rebuilt on first use
        return state
