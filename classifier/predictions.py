"""What the classifier says about texts: :class:`Prediction` for one, :class:`Decisions` for many.

Also :func:`check_texts`, the one check every public entry point applies to a
collection of texts.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from classifier.errors import InputTextError, TextTruncatedWarning

__all__ = [
    "Prediction",
    "Decisions",
    "TextInputMixin",
    "check_texts",
    "check_labels",
    "MAX_TEXT_CHARS",
    "truncation_message",
]

#: Characters of a text that a model reads by default (``ITWorkClassifier(max_text_chars=...)``); the rest is
#: cut. About 30 pages: far more than any description of work, and a 100 MB cell no longer takes gigabytes.
MAX_TEXT_CHARS = 100_000


@dataclass(frozen=True)
class Prediction:
    """The label of one text, how sure the model is, and why.

    ``top_terms`` lists the normalized terms (words or word pairs) that pushed
    the decision towards ``label`` most, with their weight in the decision.
    ``neighbours`` lists the training examples closest in meaning, as
    ``(text, label, cosine similarity)``, for models with a sentence encoder;
    ``semantic`` is True when the n-gram part was unsure and the semantic part
    (those examples' vote) decided.
    """

    text: str
    label: str
    confidence: float
    probabilities: dict[str, float]
    top_terms: list[tuple[str, float]] = field(default_factory=list)
    has_text: bool = True
    needs_review: bool = False
    in_scope: bool = True
    neighbours: list[tuple[str, str, float]] = field(default_factory=list)
    semantic: bool = False

    def to_dict(self) -> dict[str, object]:
        """A plain dict, ready for ``json.dumps``."""
        return {
            "text": self.text,
            "label": self.label,
            "confidence": self.confidence,
            "probabilities": dict(self.probabilities),
            "top_terms": [list(pair) for pair in self.top_terms],
            "has_text": self.has_text,
            "needs_review": self.needs_review,
            "in_scope": self.in_scope,
            "neighbours": [list(item) for item in self.neighbours],
            "semantic": self.semantic,
        }


@dataclass(frozen=True)
class Decisions:
    """Predictions for many texts at once, as arrays aligned with the input.

    ``needs_review`` is True where the confidence is below the review threshold
    of the predicted label, where the text is out of scope (describes no IT
    work) and where it has no usable words. ``semantic`` is True where the
    semantic part scored the text (the n-gram part was unsure).
    """

    labels: np.ndarray
    confidence: np.ndarray
    probabilities: np.ndarray
    needs_review: np.ndarray
    in_scope: np.ndarray
    has_text: np.ndarray
    semantic: np.ndarray | None = None


def _describe(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def truncation_message(count: int, max_chars: int, total: int | None = None) -> str:
    """The warning for ``count`` texts (of ``total``) cut to ``max_chars`` characters.

    >>> print(truncation_message(2, 100_000))  # doctest: +NORMALIZE_WHITESPACE
    2 texts are longer than max_text_chars=100000 characters; only the first 100,000 characters of each were
    read. Set max_text_chars= higher to read more
    """
    of = "" if total in (None, count) else f" of {total}"
    texts = "text is" if count == 1 and not of else "texts are"
    return (
        f"{count}{of} {texts} longer than max_text_chars={max_chars} characters; only the first {max_chars:,} "
        "characters of each were read. Set max_text_chars= higher to read more"
    )


def check_texts(texts: object, *, name: str = "texts", max_chars: int | None = None, warn: bool = True) -> list[str]:
    """Validate a collection of texts and return it as a list of ``str``.

    With ``max_chars``, longer texts are cut to their first ``max_chars``
    characters, and one :class:`~classifier.errors.TextTruncatedWarning` says
    how many were (unless ``warn=False``).

    >>> check_texts(("a", "b"))
    ['a', 'b']
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     check_texts(["abcdef", "ab"], max_chars=3)
    ['abc', 'ab']
    >>> print(caught[0].message)  # doctest: +NORMALIZE_WHITESPACE
    1 of 2 texts are longer than max_text_chars=3 characters; only the first 3 characters of each were read.
    Set max_text_chars= higher to read more
    >>> check_texts("one text")
    Traceback (most recent call last):
    ...
    TypeError: texts must be a list of strings, got a single str; wrap it in a list: ['one text']
    """
    if isinstance(texts, (str, bytes)):
        raise TypeError(
            f"{name} must be a list of strings, got a single {type(texts).__name__}; "
            f"wrap it in a list: [{_describe(texts)}]"
        )
    if hasattr(texts, "tolist") and not isinstance(texts, list):
        texts = texts.tolist()  # pandas Series, numpy array
    if not isinstance(texts, Iterable):
        raise TypeError(f"{name} must be a list of strings, got {type(texts).__name__}")
    texts = list(texts)
    bad = [index for index, text in enumerate(texts) if not isinstance(text, str)]
    if bad:
        shown = ", ".join(f"{index} ({_describe(texts[index])})" for index in bad[:10])
        more = f" and {len(bad) - 10} more" if len(bad) > 10 else ""
        raise InputTextError(
            f"{name} must all be strings; {len(bad)} are not, at positions {shown}{more}. "
            "Drop or fill missing values first, e.g. df['text'].fillna('')"
        )
    if max_chars is not None:
        long = [index for index, text in enumerate(texts) if len(text) > max_chars]
        if long:
            for index in long:
                texts[index] = texts[index][:max_chars]
            if warn:
                warnings.warn(truncation_message(len(long), max_chars, len(texts)), TextTruncatedWarning, stacklevel=3)
    return texts


def check_labels(labels: object, n_texts: int) -> np.ndarray:
    """Labels as a 1-D array, one hashable, non-missing value per text, at least two different ones.

    >>> check_labels(["ktlo", "grow", "ktlo"], 3).tolist()
    ['ktlo', 'grow', 'ktlo']
    >>> check_labels([0, 1, 0], 3).tolist()
    [0, 1, 0]
    """
    if isinstance(labels, (str, bytes)):
        raise TypeError(f"labels must be a list with one label per text, got a single {type(labels).__name__}")
    values = labels.tolist() if isinstance(labels, np.ndarray | pd.Series) else list(labels)  # type: ignore[call-overload]
    if len(values) != n_texts:
        raise InputTextError(f"got {n_texts} texts but {len(values)} labels; give one label per text")
    bad = [i for i, value in enumerate(values) if value is None or value != value or not isinstance(value, Hashable)]
    if bad:
        shown = ", ".join(f"{index} ({_describe(values[index])})" for index in bad[:10])
        raise InputTextError(f"labels must not be missing; {len(bad)} are, at positions {shown}. Drop those rows")
    array = np.asarray(values)
    if array.ndim != 1:
        array = np.empty(len(values), dtype=object)
        array[:] = values
    if len(np.unique(array)) < 2:
        raise InputTextError(f"training needs at least two different labels, got only {np.unique(array).tolist()}")
    return array


class TextInputMixin:
    """Tags a scikit-learn estimator as one that reads a list of texts, not a 2-D array (put it first in the bases)."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()  # type: ignore[misc]
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags
