"""The semantic part of a model: labelled training examples found by meaning, not by shared words.

:class:`NearestExamples` keeps the sentence embeddings
(:mod:`classifier.encoder`) of the training texts with their labels. Its
probabilities are the distance-weighted vote of the ``n_neighbors`` most
similar training texts (cosine similarity), and it explains a prediction with
the training texts it is most similar to, which a user can read and check. It
also serves as a cache: retraining on the same texts reuses their embeddings
(:meth:`NearestExamples.embeddings_of`) instead of encoding them again.

>>> embeddings = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9]], dtype=np.float32)
>>> examples = NearestExamples(n_neighbors=2).fit(embeddings, ["a", "a", "b", "b"], ["x1", "x2", "y1", "y2"])
>>> examples.predict_proba(np.array([[0.95, 0.05]])).round(2).tolist()
[[1.0, 0.0]]
>>> [(text, label) for text, label, _ in examples.nearest(np.array([[0.0, 1.0]]), 1)[0]]
[('y1', 'b')]
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.neighbors import KNeighborsClassifier
from sklearn.utils.validation import check_is_fitted

__all__ = ["NearestExamples", "cascade", "fill_embeddings"]


class NearestExamples(ClassifierMixin, BaseEstimator):
    """Classify embeddings by their most similar labelled training examples, and show those examples.

    Parameters
    ----------
    n_neighbors : int, default 50
        Training examples that vote, weighted by 1 / cosine distance.

    Attributes
    ----------
    embeddings_ : ndarray of float32, shape (n_examples, dim)
        The training embeddings.
    labels_ : ndarray
        Their labels.
    texts_ : list of str
        Their texts.
    knn_ : KNeighborsClassifier
        Fitted on ``embeddings_`` (brute-force cosine distance); rebuilt when loaded, not saved.
    classes_ : ndarray
        Labels, in the order of :meth:`predict_proba`'s columns.
    """

    def __init__(self, *, n_neighbors: int = 50) -> None:
        self.n_neighbors = n_neighbors

    def fit(
        self, embeddings: np.ndarray, labels: Sequence[Hashable] | np.ndarray, texts: Sequence[str] | None = None
    ) -> NearestExamples:
        """Keep the training embeddings, labels and texts. Returns self."""
        embeddings = np.asarray(embeddings, dtype=np.float32)
        if embeddings.ndim != 2 or len(embeddings) != len(labels):
            raise ValueError(
                f"NearestExamples.fit needs one embedding row per label; got shape {embeddings.shape} "
                f"for {len(labels)} labels"
            )
        self.embeddings_ = embeddings
        self.labels_ = np.asarray(labels)
        self.texts_ = [""] * len(labels) if texts is None else list(texts)
        self._build()
        self.classes_ = self.knn_.classes_
        return self

    def _build(self) -> None:
        self.knn_ = KNeighborsClassifier(
            n_neighbors=min(self.n_neighbors, len(self.embeddings_)),
            weights="distance",
            metric="cosine",
            algorithm="brute",
        ).fit(self.embeddings_, self.labels_)
        self._rows: dict[str, int] | None = None

    def predict_proba(self, embeddings: np.ndarray) -> np.ndarray:
        """The neighbours' weighted vote for each label, shape ``(n, n_classes)``, columns in ``classes_`` order."""
        check_is_fitted(self, "knn_")
        return self.knn_.predict_proba(np.asarray(embeddings, dtype=np.float32))

    def predict(self, embeddings: np.ndarray) -> np.ndarray:
        """The label with the largest vote for each embedding."""
        return self.classes_[self.predict_proba(embeddings).argmax(axis=1)]

    def nearest(self, embeddings: np.ndarray, n: int = 3) -> list[list[tuple[str, str, float]]]:
        """For each embedding, the ``n`` most similar training examples as ``(text, label, cosine similarity)``."""
        check_is_fitted(self, "knn_")
        distances, rows = self.knn_.kneighbors(np.asarray(embeddings, dtype=np.float32), min(n, len(self.texts_)))
        return [
            [(self.texts_[row], str(self.labels_[row]), round(1.0 - float(d), 4)) for d, row in zip(found, ids)]
            for found, ids in zip(distances, rows)
        ]

    def embeddings_of(self, texts: Sequence[str]) -> np.ndarray:
        """The stored embedding of each text seen in training, NaN rows for the others (a cache for retraining)."""
        check_is_fitted(self, "knn_")
        rows = getattr(self, "_rows", None)
        if rows is None:
            rows = self._rows = {text: row for row, text in enumerate(self.texts_)}
        result = np.full((len(texts), self.embeddings_.shape[1]), np.nan, dtype=np.float32)
        for position, text in enumerate(texts):
            row = rows.get(text)
            if row is not None:
                result[position] = self.embeddings_[row]
        return result

    def __getstate__(self) -> dict:
        state = dict(super().__getstate__())  # a copy: BaseEstimator hands out the live __dict__
        state.pop("_rows", None)
        state.pop("knn_", None)  # rebuilt from embeddings_ and labels_: the embeddings are saved once
        if "texts_" in state:  # one JSON string, not a node per text in a skops file
            state["texts_"] = json.dumps(state["texts_"], ensure_ascii=False)
        return state

    def __setstate__(self, state: dict) -> None:
        state = dict(state)
        if isinstance(state.get("texts_"), str):
            state["texts_"] = json.loads(state["texts_"])
        super().__setstate__(state)
        if "embeddings_" in state:
            self._build()


def cascade(
    probabilities: np.ndarray,
    semantic: Callable[[np.ndarray], np.ndarray],
    texts: Sequence[str],
    threshold: float,
    weight: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Send the texts whose ``probabilities`` peak below ``threshold`` to the semantic part.

    ``semantic(rows)`` gives the semantic probabilities of those rows; they are
    mixed in with ``weight`` (1.0 replaces the n-gram probabilities). Blank
    texts keep theirs (the base rates). Returns the probabilities and the mask
    of rows the semantic part scored.

    >>> ngram = np.array([[0.95, 0.05], [0.6, 0.4], [0.5, 0.5]])
    >>> mixed, routed = cascade(ngram, lambda rows: np.array([[0.1, 0.9]] * len(rows)), ["a", "b", " "], 0.9, 1.0)
    >>> mixed.tolist(), routed.tolist()
    ([[0.95, 0.05], [0.1, 0.9], [0.5, 0.5]], [False, True, False])
    """
    probabilities = np.array(probabilities, dtype=np.float64)
    routed = probabilities.max(axis=1) < threshold if len(probabilities) else np.zeros(0, dtype=bool)
    routed &= np.fromiter((bool(text.strip()) for text in texts), dtype=bool, count=len(texts))
    rows = np.flatnonzero(routed)
    if len(rows):
        probabilities[rows] = (1 - weight) * probabilities[rows] + weight * np.asarray(semantic(rows))
    return probabilities, routed


def fill_embeddings(encoder, texts: Sequence[str], embeddings: np.ndarray | None) -> np.ndarray:
    """Embeddings of ``texts``: the given rows, and the encoder's for missing (NaN) rows or when none are given."""
    if embeddings is None:
        return encoder.transform(texts)
    embeddings = np.array(embeddings, dtype=np.float32)
    if embeddings.shape != (len(texts), encoder.n_features_out_):
        raise ValueError(
            f"embeddings must have shape ({len(texts)}, {encoder.n_features_out_}), one row per text; "
            f"got {embeddings.shape}"
        )
    missing = np.flatnonzero(np.isnan(embeddings).any(axis=1))
    if len(missing):
        embeddings[missing] = encoder.transform([texts[int(row)] for row in missing])
    return embeddings
