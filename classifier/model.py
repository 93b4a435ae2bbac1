"""The classifier: normalized word n-grams, TF-IDF and a linear model.

:class:`ITWorkClassifier` follows scikit-learn's estimator conventions:
``__init__`` only stores its keyword arguments, ``fit`` learns everything that
ends in ``_`` and returns ``self``, and ``predict_proba`` columns follow
``classes_``.

Input policy, checked once at this public boundary:

* a bare ``str`` where a list of texts is expected raises ``TypeError``;
* ``None``, ``NaN`` and other non-strings raise :class:`InputTextError` naming
  their positions;
* an empty or whitespace-only string, or one with no word the normalizer keeps,
  is scored from the intercept alone (the model's base rates). Its
  :class:`Prediction` has ``has_text=False`` and no top terms. ``fit``
  refuses such texts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from classifier.errors import InputTextError, NotFittedError
from classifier.fast_tfidf import FastTfidf
from classifier.labels import parse_label
from classifier.normalize import TextNormalizer

__all__ = ["ITWorkClassifier", "Prediction", "check_texts"]


@dataclass(frozen=True)
class Prediction:
    """The label of one text, how sure the model is, and why.

    ``top_terms`` lists the normalized terms (words or word pairs) that pushed
    the decision towards ``label`` most, with their weight in the decision.
    """

    text: str
    label: str
    confidence: float
    probabilities: dict[str, float]
    top_terms: list[tuple[str, float]] = field(default_factory=list)
    has_text: bool = True

    def to_dict(self) -> dict[str, object]:
        """A plain dict, ready for ``json.dumps``."""
        return {
            "text": self.text,
            "label": self.label,
            "confidence": self.confidence,
            "probabilities": dict(self.probabilities),
            "top_terms": [list(pair) for pair in self.top_terms],
            "has_text": self.has_text,
        }


def _describe(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def check_texts(texts: object, *, name: str = "texts") -> list[str]:
    """Validate a collection of texts and return it as a list of ``str``.

    >>> check_texts(("a", "b"))
    ['a', 'b']
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
    return texts


class ITWorkClassifier(ClassifierMixin, BaseEstimator):
    """Classify descriptions of IT work as ktlo, commodity_outsourceable or business_enabling.

    Parameters
    ----------
    ngram_range : tuple of int, default (1, 2)
        Word n-grams over normalized tokens.
    min_df : int, default 1
        Ignore word n-grams seen in fewer training texts.
    char_ngram_range : tuple of int or None, default None
        Add TF-IDF over character n-grams within words (e.g. ``(3, 5)``);
        ``None`` uses word n-grams only.
    C : float, default 10.0
        Inverse regularization strength of the logistic regression.
    class_weight : "balanced" or None, default "balanced"
        Weights classes inversely to their frequency.
    lemmatize, remove_stop_words, mask : bool, default True
        Settings of the :class:`~classifier.normalize.TextNormalizer`.
    max_iter : int, default 2000
        Iterations of the solver.

    Attributes
    ----------
    classes_ : ndarray of str
        Label ids in the order of ``predict_proba`` columns.
    pipeline_ : sklearn.pipeline.Pipeline
        TF-IDF features and the classifier, fitted on normalized texts.

    Examples
    --------
    >>> model = ITWorkClassifier().fit(
    ...     ["reset my password", "unlock account and reset password",
    ...      "fix the billing batch job", "patch our claims application",
    ...      "build a checkout flow for customers", "launch a new mobile app feature"],
    ...     ["commodity_outsourceable", "commodity_outsourceable", "ktlo", "ktlo",
    ...      "business_enabling", "business_enabling"])
    >>> model.predict(["password reset please"])
    ['commodity_outsourceable']
    """

    def __init__(
        self,
        ngram_range: tuple[int, int] = (1, 2),
        min_df: int = 1,
        char_ngram_range: tuple[int, int] | None = None,
        C: float = 10.0,
        class_weight: str | None = "balanced",
        lemmatize: bool = True,
        remove_stop_words: bool = True,
        mask: bool = True,
        max_iter: int = 2000,
    ) -> None:
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.char_ngram_range = char_ngram_range
        self.C = C
        self.class_weight = class_weight
        self.lemmatize = lemmatize
        self.remove_stop_words = remove_stop_words
        self.mask = mask
        self.max_iter = max_iter

    # -- building blocks ---------------------------------------------------

    def _get_normalizer(self) -> TextNormalizer:
        config = {"lemmatize": self.lemmatize, "remove_stop_words": self.remove_stop_words, "mask": self.mask}
        normalizer = getattr(self, "_normalizer", None)
        if normalizer is None or normalizer.get_config() != config:
            normalizer = TextNormalizer(**config)
            self._normalizer = normalizer
        return normalizer

    def _build_pipeline(self) -> Pipeline:
        word = TfidfVectorizer(
            analyzer="word",
            token_pattern=r"\S+",
            lowercase=False,
            ngram_range=tuple(self.ngram_range),
            min_df=self.min_df,
            sublinear_tf=True,
            dtype=np.float32,
        )
        if self.char_ngram_range is None:
            features = word
        else:
            char = TfidfVectorizer(
                analyzer="char_wb",
                lowercase=False,
                ngram_range=tuple(self.char_ngram_range),
                min_df=2,
                sublinear_tf=True,
                dtype=np.float32,
            )
            features = FeatureUnion([("word", word), ("char", char)])
        classifier = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=self.max_iter)
        return Pipeline([("features", features), ("classifier", classifier)])

    def normalize(self, texts: Sequence[str]) -> list[str]:
        """The normalized form of each text, as the model sees it."""
        return self._get_normalizer().normalize_many(check_texts(texts))

    # -- scikit-learn API ----------------------------------------------------

    def fit(self, texts: Sequence[str], labels: Sequence[str], sample_weight: Sequence[float] | None = None):
        """Fit on texts and their labels (any spelling :func:`parse_label` accepts). Returns self."""
        texts = check_texts(texts)
        labels = check_texts(labels, name="labels")
        if len(texts) != len(labels):
            raise InputTextError(f"got {len(texts)} texts but {len(labels)} labels; give one label per text")
        label_ids = [parse_label(label) for label in labels]
        normalized = self._get_normalizer().normalize_many(texts)
        empty = [index for index, text in enumerate(normalized) if not text]
        if empty:
            shown = ", ".join(f"{index} ({_describe(texts[index])})" for index in empty[:10])
            raise InputTextError(f"{len(empty)} training texts have no usable words, at positions {shown}; remove them")
        if len(set(label_ids)) < 2:
            raise InputTextError(f"training needs at least two different labels, got only {sorted(set(label_ids))}")
        pipeline = self._build_pipeline()
        fit_params = {} if sample_weight is None else {"classifier__sample_weight": np.asarray(sample_weight)}
        # One BLAS thread: L-BFGS's vector operations are far too small to share, and OpenBLAS's threads
        # made each fit 10-15x slower on a busy 2-core machine (benchmarks/RESULTS.md, "Training time").
        with threadpool_limits(limits=1, user_api="blas"):
            pipeline.fit(normalized, label_ids, **fit_params)
        self.pipeline_ = pipeline
        self.classes_ = pipeline.classes_
        self._feature_names = None
        return self

    def _check_fitted(self) -> None:
        try:
            check_is_fitted(self, "pipeline_")
        except Exception as error:
            raise NotFittedError(
                "this ITWorkClassifier is not fitted yet; call fit(texts, labels) first "
                "or use classifier.load_model() for the shipped model"
            ) from error

    def _probabilities(self, normalized: list[str]) -> np.ndarray:
        return self.pipeline_.predict_proba(normalized)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probability of each label, shape ``(n_texts, 3)``, columns in ``classes_`` order."""
        self._check_fitted()
        texts = check_texts(texts)
        fast = FastTfidf.for_model(self)  # the same features as the pipeline's, many times faster
        features = fast.transform(texts) if fast is not None else None
        if features is None:
            return self._probabilities(self._get_normalizer().normalize_many(texts))
        return self.pipeline_[-1].predict_proba(features)

    def predict(self, texts: Sequence[str]) -> list[str]:
        """The most likely label id of each text."""
        probabilities = self.predict_proba(texts)
        return [str(label) for label in self.classes_[probabilities.argmax(axis=1)]]

    def decision_terms(self, normalized: str, label: str, n_terms: int = 5) -> list[tuple[str, float]]:
        """The features of one normalized text that pushed it most towards ``label``."""
        pipeline = self.pipeline_
        features = pipeline.named_steps["features"].transform([normalized]).tocsr()
        if features.nnz == 0:
            return []
        coef = _linear_coefficients(pipeline.named_steps["classifier"], len(self.classes_))
        row = list(self.classes_).index(label)
        direction = coef[row] - coef.mean(axis=0)
        if self._feature_names is None:
            self._feature_names = pipeline.named_steps["features"].get_feature_names_out()
        contributions = features.data * direction[features.indices]
        order = np.argsort(-contributions, kind="stable")[:n_terms]
        return [
            (_display_feature(self._feature_names[features.indices[i]]), round(float(contributions[i]), 4))
            for i in order
            if contributions[i] > 0
        ]

    def classify(self, text: str, n_terms: int = 5) -> Prediction:
        """Label one text and explain the decision.

        >>> from classifier import load_model
        >>> load_model().classify("Reset the VPN password for a locked-out user").label
        'commodity_outsourceable'
        """
        if not isinstance(text, str):
            raise TypeError(f"classify takes one str, got {type(text).__name__}; use predict() for lists")
        self._check_fitted()
        normalized = self._get_normalizer()(text)
        probabilities = self._probabilities([normalized])[0]
        best = int(probabilities.argmax())
        label = str(self.classes_[best])
        return Prediction(
            text=text,
            label=label,
            confidence=float(probabilities[best]),
            probabilities={str(c): float(p) for c, p in zip(self.classes_, probabilities)},
            top_terms=self.decision_terms(normalized, label, n_terms) if normalized else [],
            has_text=bool(normalized),
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags


def _linear_coefficients(classifier, n_classes: int) -> np.ndarray:
    """Coefficients of shape (n_classes, n_features) of a fitted linear classifier."""
    if hasattr(classifier, "calibrated_classifiers_"):
        coef = np.mean([c.estimator.coef_ for c in classifier.calibrated_classifiers_], axis=0)
    else:
        coef = classifier.coef_
    if coef.shape[0] == 1 and n_classes == 2:
        coef = np.vstack([-coef[0], coef[0]])
    return np.asarray(coef)


def _display_feature(name: str) -> str:
    # FeatureUnion prefixes names ("word__reset password"); keep the term only.
    return name.split("__", 1)[1] if "__" in name else name
