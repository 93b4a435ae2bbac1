"""Out-of-scope detection: does a text describe IT work at all?

:class:`ScopeDetector` scores normalized text (the output of
:class:`classifier.normalize.TextNormalizer`) by how much more likely its words
are in the training corpus than in general English, and flags texts that score
below a threshold learned from the corpus as out of scope.

Method. Two unigram models over normalized tokens are compared:

* the **background** is general English: the word probabilities that ship in
  ``spacy-lookups-data`` (``en_lexeme_prob``), mapped into the normalizer's
  token space (lower-cased, lemmatized, stop words dropped, numbers, URLs,
  hosts... folded into ``<num>``, ``<url>``, ``<host>``...) and floored at
  ``1 / N`` for a corpus of ``N`` tokens, since a corpus of that size cannot
  tell rarer words apart;
* the **domain** model is the training corpus, Dirichlet-smoothed towards the
  background with prior strength ``mu = prior_strength * N``:
  ``p(w) = (c(w) + mu * q(w)) / (N + mu)``.

A token's weight is the log-likelihood ratio ``log p(w) - log q(w)``, capped at
``max_weight`` so that no single word decides a text. Words absent from the
corpus (a recipe's "flour", lorem ipsum, gibberish, typos) all get the lowest
weight, ``log(mu / (N + mu))``, whatever their English frequency; masked
tokens are ordinary tokens whose background probability is the total of the
English entries they stand for (``<num>`` ends up neutral, ``<host>`` and
``<ticket>`` IT-leaning). A text's score is the mean weight of its tokens with
``pseudo_tokens`` extra tokens of the lowest weight, so a one- or two-word
text needs strong words to count ("printer dead" does, "hello" does not). An
empty text scores the lowest weight and is always out of scope.

The threshold is the ``quantile`` of the corpus texts' scores computed
out-of-fold (each text scored by a model fitted without it), so about that
share of texts like the corpus falls below it, and corpus texts do not look
more in scope than new ones. Scoring sums dictionary look-ups of each text's
tokens (about 0.3 s per 50,000 ticket-length texts).

The learned state is plain arrays and floats; its vocabulary is stored as one
newline-separated string (``__getstate__``), so a model bundle stays small.

>>> corpus = ["restart print spooler server", "reset password user account",
...           "vpn down user laptop", "patch server database", "user not login vpn"]
>>> detector = ScopeDetector(quantile=0.0, n_splits=2).fit(corpus)
>>> detector.predict(["printer server down", "preheat oven mix flour sugar", ""]).tolist()
[True, False, False]
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.model_selection import KFold

from classifier import spacy_resources
from classifier.errors import NotFittedError
from classifier.normalize import STOP_WORDS, mask_token
from classifier.predictions import check_texts

__all__ = ["ScopeDetector", "COURTESY_WORDS"]

# Background entries that may be a number, URL, path, host, id...: only these go through mask_token.
_MASK_CANDIDATE = re.compile(r"[\d./\\@:#_-]")


@functools.lru_cache(maxsize=1)
def _background_log_probs() -> dict[str, float]:
    """English token probabilities (``spacy-lookups-data``) in the normalizer's token space, as logs."""
    lemmas = spacy_resources.lemma_lookup()
    totals: dict[str, float] = {}
    for word, log_prob in spacy_resources.lexeme_log_probs().items():
        word = word.lower()
        if word in STOP_WORDS or not any(character.isalnum() for character in word):
            continue
        token = mask_token(word) if _MASK_CANDIDATE.search(word) else None
        if token is None:
            token = lemmas.get(word, word)
            if token in STOP_WORDS:
                continue
        totals[token] = totals.get(token, 0.0) + float(np.exp(log_prob))
    log_total = np.log(sum(totals.values()))
    return {token: float(np.log(total) - log_total) for token, total in totals.items()}


def _check_normalized(texts: object) -> list[str]:
    return check_texts(texts, name="normalized_texts")


def _vectorizer() -> CountVectorizer:
    # Input is already normalized: tokens are separated by whitespace and kept as they are.
    return CountVectorizer(token_pattern=r"\S+", lowercase=False, dtype=np.float64)


#: Greetings, thanks and sign-offs (in normalized form): tickets are full of them, so on their
#: own they look like IT work. They are dropped before scoring, so "Hi there, thanks!" is out of
#: scope while "hi printer jammed thanks" is scored on "printer jam".
COURTESY_WORDS = (
    "hello", "hi", "hey", "thank", "thanks", "thx", "regard", "dear", "cheer", "cheers",
    "sincerely", "bye", "greeting", "kind", "best", "wish",
)  # fmt: skip


def _without(texts: list[str], words: frozenset[str]) -> list[str]:
    if not words:
        return texts
    return [" ".join(token for token in text.split() if token not in words) for text in texts]


def _token_counts(texts: list[str]) -> np.ndarray:
    return np.fromiter((len(text.split()) for text in texts), dtype=np.float64, count=len(texts))


class ScopeDetector(BaseEstimator):
    """Flag normalized texts that do not look like the IT-work training corpus.

    Parameters
    ----------
    prior_strength : float, default 1.0
        Dirichlet prior towards general English, as a multiple of the corpus
        size in tokens; larger values need more occurrences before a word
        counts as IT vocabulary.
    max_weight : float, default 3.0
        Cap on a token's log-likelihood ratio.
    pseudo_tokens : float, default 1.5
        Tokens of the lowest weight added to every text, so short texts need
        stronger words to be in scope.
    quantile : float, default 0.01
        Share of (out-of-fold) corpus texts allowed to fall below the threshold.
    courtesy_words : tuple of str, default ``COURTESY_WORDS``
        Normalized tokens dropped before scoring (greetings, thanks, sign-offs).
    n_splits : int, default 5
        Folds used to score the corpus out-of-fold for the threshold.
    random_state : int, default 0
        Seed for the fold assignment.
    """

    def __init__(
        self,
        prior_strength: float = 1.0,
        max_weight: float = 3.0,
        pseudo_tokens: float = 1.5,
        quantile: float = 0.01,
        n_splits: int = 5,
        random_state: int = 0,
        courtesy_words: tuple[str, ...] = COURTESY_WORDS,
    ) -> None:
        self.prior_strength = prior_strength
        self.max_weight = max_weight
        self.pseudo_tokens = pseudo_tokens
        self.quantile = quantile
        self.n_splits = n_splits
        self.random_state = random_state
        self.courtesy_words = courtesy_words

    def _check_params(self) -> None:
        if not self.prior_strength > 0:
            raise ValueError(f"prior_strength must be positive, got {self.prior_strength!r}; the default is 1.0")
        if not self.pseudo_tokens >= 0:
            raise ValueError(f"pseudo_tokens must be >= 0, got {self.pseudo_tokens!r}; the default is 1.5")
        if not 0 <= self.quantile < 1:
            raise ValueError(f"quantile must be in [0, 1), got {self.quantile!r}; the default is 0.01")
        if not (isinstance(self.n_splits, int) and self.n_splits >= 2):
            raise ValueError(f"n_splits must be an integer >= 2, got {self.n_splits!r}; the default is 5")

    def _weights(self, counts: np.ndarray, log_background: np.ndarray) -> tuple[np.ndarray, float]:
        """Per-token log-likelihood ratios for corpus counts (0 count -> the unseen weight)."""
        n_tokens = float(counts.sum())
        mu = self.prior_strength * n_tokens
        unseen = float(np.log(mu / (n_tokens + mu)))
        background = np.exp(np.maximum(log_background, -np.log(n_tokens)))
        weights = np.minimum(np.log1p(counts / (mu * background)) + unseen, max(self.max_weight, unseen))
        return weights, unseen

    def _score(self, counts, n_tokens: np.ndarray, weights: np.ndarray, unseen: float) -> np.ndarray:
        n_known = np.asarray(counts.sum(axis=1)).ravel()
        total = counts @ weights + (n_tokens - n_known + self.pseudo_tokens) * unseen
        return total / np.maximum(n_tokens + self.pseudo_tokens, 1.0)

    def fit(self, normalized_texts: Sequence[str]) -> ScopeDetector:
        """Learn token weights and the threshold from the (normalized) training corpus."""
        texts = _without(_check_normalized(normalized_texts), frozenset(self.courtesy_words))
        self._check_params()
        non_empty = [text for text in texts if text.strip()]
        if len(non_empty) < self.n_splits:
            raise ValueError(
                f"ScopeDetector needs at least n_splits={self.n_splits} non-empty texts to fit, "
                f"got {len(non_empty)} of {len(texts)}; fit it on the training corpus"
            )
        vectorizer = _vectorizer()
        counts = vectorizer.fit_transform(non_empty)
        vocabulary = vectorizer.get_feature_names_out()
        background = _background_log_probs()
        floor = min(background.values())
        log_background = np.fromiter((background.get(token, floor) for token in vocabulary), dtype=np.float64)
        n_tokens = _token_counts(non_empty)

        out_of_fold = np.empty(len(non_empty))
        folds = KFold(self.n_splits, shuffle=True, random_state=self.random_state)
        for train, held_out in folds.split(non_empty):
            fold_counts = np.asarray(counts[train].sum(axis=0)).ravel()
            weights, unseen = self._weights(fold_counts, log_background)
            weights[fold_counts == 0] = unseen
            out_of_fold[held_out] = self._score(counts[held_out], n_tokens[held_out], weights, unseen)

        corpus_counts = np.asarray(counts.sum(axis=0)).ravel()
        self.vocabulary_ = vocabulary.astype(str)
        self.weights_, self.unseen_weight_ = self._weights(corpus_counts, log_background)
        self.threshold_ = float(np.quantile(out_of_fold, self.quantile))
        self.n_corpus_tokens_ = int(corpus_counts.sum())
        self._weight_of: dict[str, float] | None = None  # built on first use
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "threshold_"):
            raise NotFittedError("this ScopeDetector is not fitted yet; call fit(normalized_texts) first")

    def score_samples(self, normalized_texts: Sequence[str]) -> np.ndarray:
        """Mean log-likelihood ratio per token (corpus vs English): higher = more like IT work."""
        return self._scores_and_token_counts(_check_normalized(normalized_texts))[0]

    def predict(self, normalized_texts: Sequence[str]) -> np.ndarray:
        """True where a text is in scope: score >= ``threshold_`` and at least one token."""
        scores, n_tokens = self._scores_and_token_counts(_check_normalized(normalized_texts))
        return (scores >= self.threshold_) & (n_tokens > 0)

    def _scores_and_token_counts(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Scores and the number of tokens left after dropping courtesy words, in one pass."""
        self._check_fitted()
        weight_of = getattr(self, "_weight_of", None)
        if weight_of is None:  # a plain dict: summing dict look-ups beats building a sparse matrix
            weight_of = self._weight_of = dict(zip(self.vocabulary_.tolist(), self.weights_.tolist()))
        get, unseen = weight_of.get, itertools.repeat(self.unseen_weight_)
        courtesy = frozenset(self.courtesy_words)
        totals = np.empty(len(texts))
        n_tokens = np.empty(len(texts))
        for index, text in enumerate(texts):
            tokens = [token for token in text.split() if token not in courtesy] if courtesy else text.split()
            n_tokens[index] = len(tokens)
            totals[index] = sum(map(get, tokens, unseen))
        totals += self.pseudo_tokens * self.unseen_weight_
        return totals / np.maximum(n_tokens + self.pseudo_tokens, 1.0), n_tokens

    def __getstate__(self) -> dict:
        state = dict(super().__getstate__())  # a copy: BaseEstimator hands out the live __dict__
        state.pop("_weight_of", None)  # a lookup dict rebuilt on first use
        if "vocabulary_" in state:
            # One newline-separated str (tokens never hold whitespace): a fixed-width numpy str array
            # would pad every token to the longest one.
            state["vocabulary_"] = "\n".join(np.asarray(state["vocabulary_"]).tolist())
        return state

    def __setstate__(self, state: dict) -> None:
        state = dict(state)
        if isinstance(state.get("vocabulary_"), str):
            vocabulary = state["vocabulary_"]
            state["vocabulary_"] = np.asarray(vocabulary.split("\n") if vocabulary else [], dtype=str)
        super().__setstate__(state)
