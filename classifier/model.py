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

from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from classifier.calibration import CALIBRATION_METHODS, compare_calibration_methods
from classifier.errors import InputTextError, InvalidValueError, NotFittedError
from classifier.fast_tfidf import FastTfidf
from classifier.labels import parse_label
from classifier.normalize import TextNormalizer
from classifier.predictions import Decisions, Prediction, _describe, check_texts
from classifier.priors import MIN_REGISTER_EXAMPLES, LabelPriorsMixin, register_label_mix
from classifier.registers import AdaptedFeatures, RegisterDetector, known_registers
from classifier.scope import ScopeDetector
from classifier.thresholds import check_precision, is_probability, review_flags, tune_thresholds

__all__ = ["ITWorkClassifier", "Prediction", "Decisions", "check_texts"]  # the last three from predictions


class ITWorkClassifier(LabelPriorsMixin, ClassifierMixin, BaseEstimator):
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
    calibration : {"auto", "none", "temperature", "sigmoid", "isotonic"}, default "auto"
        How probabilities are calibrated (see :mod:`classifier.calibration`).
        ``"auto"`` picks the method with the lowest out-of-fold log loss.
        With fewer than ``calibration_folds`` examples of some label,
        ``"auto"`` leaves the probabilities uncalibrated.
    calibration_folds : int, default 5
        Folds for the out-of-fold scores that calibration and review
        thresholds are learned from.
    review_precision : float or None, default 0.95
        Precision the review thresholds aim at on out-of-fold predictions of
        the training data; ``None`` sets no thresholds (nothing needs review
        for low confidence alone). Text written for a corpus is easier than
        real tickets and task lists: 0.95 out-of-fold on the shipped corpus
        gives about 0.9 precision on the dev sets.
    random_state : int, default 0
        Seed of the calibration folds.
    scope_quantile : float or None, default 0.01
        Fit a :class:`~classifier.scope.ScopeDetector` that flags texts
        describing no IT work as out of scope; about this share of texts like
        the training corpus falls out of scope. ``None`` flags no text (only
        empty ones) as out of scope.
    adapted_registers : tuple of str, default ("ticket",)
        Registers (kinds of text) that get their own copy of the word features
        when ``fit`` gets registers with at least 30 examples of them, so a
        word can weigh differently in tickets (:mod:`classifier.registers`).
        ``()`` turns this off.

    Attributes
    ----------
    classes_ : ndarray of str
        Label ids in the order of ``predict_proba`` columns.
    pipeline_ : sklearn.pipeline.Pipeline
        TF-IDF features and the classifier, fitted on normalized texts.
    calibration_method_ : str
        The calibration method used.
    calibration_report_ : dict
        Out-of-fold log loss and ECE of each method compared (empty if none were).
    review_thresholds_ : dict of str to float
        Confidence below which a prediction of each label needs review.
    review_tuning_ : dict
        Coverage and precision of those thresholds on out-of-fold predictions.
    scope_ : ScopeDetector or None
        The out-of-scope detector, fitted on the normalized training texts.
    adapted_registers_ : tuple of str
        Registers that got their own copy of the word features
        (:mod:`classifier.registers`); empty if ``fit`` got no registers.
    register_priors_ : dict of str to dict
        Label proportions of each register (kind of text: ``ticket``,
        ``task_statement`` ...) in the training data, if ``fit`` got
        registers; :meth:`set_label_priors` applies one by name.

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
        calibration: str = "auto",
        calibration_folds: int = 5,
        review_precision: float | None = 0.95,
        random_state: int = 0,
        scope_quantile: float | None = 0.01,
        adapted_registers: tuple[str, ...] = ("ticket",),
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
        self.calibration = calibration
        self.calibration_folds = calibration_folds
        self.review_precision = review_precision
        self.random_state = random_state
        self.scope_quantile = scope_quantile
        self.adapted_registers = adapted_registers

    # -- building blocks ---------------------------------------------------

    def _get_normalizer(self) -> TextNormalizer:
        config = {"lemmatize": self.lemmatize, "remove_stop_words": self.remove_stop_words, "mask": self.mask}
        normalizer = getattr(self, "_normalizer", None)
        if normalizer is None or normalizer.get_config() != config:
            normalizer = TextNormalizer(**config)
            self._normalizer = normalizer
        return normalizer

    def _build_pipeline(self, calibration: str = "none", adapted: tuple[str, ...] = ()) -> Pipeline:
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
        if adapted:
            features = AdaptedFeatures(word=features, registers=adapted, detector=RegisterDetector())
        classifier = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=self.max_iter)
        if calibration != "none":
            classifier = CalibratedClassifierCV(classifier, method=calibration, cv=self._folds(), ensemble=False)
        return Pipeline([("features", features), ("classifier", classifier)])

    def normalize(self, texts: Sequence[str]) -> list[str]:
        """The normalized form of each text, as the model sees it."""
        return self._get_normalizer().normalize_many(check_texts(texts))

    # -- scikit-learn API ----------------------------------------------------

    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[str],
        sample_weight: Sequence[float] | None = None,
        registers: Sequence[str | None] | None = None,
    ):
        """Fit on texts and their labels (any spelling :func:`parse_label` accepts). Returns self.

        ``registers`` optionally names the kind of each text (``"ticket"``,
        ``"task_statement"``; ``None`` or blank if unknown). The model keeps
        each register's label proportions (``register_priors_``) for
        :meth:`set_label_priors`, and each register in ``adapted_registers``
        with at least 30 examples gets its own copy of the word features
        (:mod:`classifier.registers`), applied when predicting in proportion to
        how much a text reads like that register.
        """
        texts = check_texts(texts)
        labels = check_texts(labels, name="labels")
        if len(texts) != len(labels):
            raise InputTextError(f"got {len(texts)} texts but {len(labels)} labels; give one label per text")
        if registers is not None:
            if isinstance(registers, str):
                raise TypeError("registers must be a list with one register per text, not a single str")
            registers = list(registers)
            if len(registers) != len(texts):
                raise InputTextError(
                    f"got {len(texts)} texts but {len(registers)} registers; give one register (or None) per text"
                )
        label_ids = [parse_label(label) for label in labels]
        normalized = self._get_normalizer().normalize_many(texts)
        empty = [index for index, text in enumerate(normalized) if not text]
        if empty:
            shown = ", ".join(f"{index} ({_describe(texts[index])})" for index in empty[:10])
            raise InputTextError(f"{len(empty)} training texts have no usable words, at positions {shown}; remove them")
        if len(set(label_ids)) < 2:
            raise InputTextError(f"training needs at least two different labels, got only {sorted(set(label_ids))}")
        self._check_params()
        adapted = self._registers_to_adapt(registers)
        fit_params = {} if sample_weight is None else {"classifier__sample_weight": np.asarray(sample_weight)}
        if adapted:
            fit_params["features__registers"] = known_registers(registers)
        inputs = self._pipeline_inputs(texts, normalized, adapted=bool(adapted))
        # One BLAS thread: L-BFGS's vector operations are far too small to share, and OpenBLAS's threads
        # made each fit 10-15x slower on a busy 2-core machine (benchmarks/RESULTS.md, "Training time").
        with threadpool_limits(limits=1, user_api="blas"):
            method, report, thresholds, tuning = self._learn_calibration(inputs, label_ids, fit_params, adapted)
            pipeline = self._build_pipeline(method, adapted)
            pipeline.fit(inputs, label_ids, **fit_params)
        self.pipeline_ = pipeline
        self.adapted_registers_ = adapted
        self.classes_ = pipeline.classes_
        self.calibration_method_ = method
        self.calibration_report_ = report
        self.review_thresholds_ = thresholds
        self.review_tuning_ = tuning
        weights = np.ones(len(label_ids)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        if self.class_weight == "balanced":
            self.training_priors_ = np.full(len(self.classes_), 1 / len(self.classes_))
        else:
            labels = np.asarray(label_ids, dtype=object)
            shares = np.array([weights[labels == label].sum() for label in self.classes_])
            self.training_priors_ = shares / shares.sum()
        self.label_priors_ = None
        self.register_priors_ = (
            {} if registers is None else register_label_mix(registers, label_ids, self.classes_, weights)
        )
        self.scope_ = (
            None
            if self.scope_quantile is None
            else ScopeDetector(quantile=self.scope_quantile, random_state=self.random_state).fit(normalized)
        )
        self._feature_names = None
        return self

    def _registers_to_adapt(self, registers: list | None) -> tuple[str, ...]:
        """The adapted registers with enough training examples, if there are other registers to tell them from."""
        if registers is None or not self.adapted_registers:
            return ()
        if isinstance(self.adapted_registers, str):
            raise InvalidValueError(
                f"adapted_registers must be a tuple of register names, got the str {self.adapted_registers!r}; "
                f"write ({self.adapted_registers!r},)"
            )
        known = known_registers(registers)
        counts = {name: known.count(name) for name in set(known) - {None}}
        if len(counts) < 2:
            return ()
        return tuple(name for name in self.adapted_registers if counts.get(name, 0) >= MIN_REGISTER_EXAMPLES)

    def _folds(self) -> StratifiedKFold:
        return StratifiedKFold(n_splits=self.calibration_folds, shuffle=True, random_state=self.random_state)

    def _check_params(self) -> None:
        allowed = ("auto", *CALIBRATION_METHODS)
        if self.calibration not in allowed:
            raise InputTextError(f"calibration must be one of {', '.join(allowed)}; got {self.calibration!r}")
        if self.review_precision is not None:
            check_precision(self.review_precision)

    def _learn_calibration(self, inputs: list, label_ids: list[str], fit_params: dict, adapted: tuple[str, ...]):
        """Choose the calibration method and review thresholds from out-of-fold decision scores."""
        classes = sorted(set(label_ids))
        smallest = min(label_ids.count(label) for label in classes)
        method = self.calibration
        if smallest < max(self.calibration_folds, 2):
            if method not in ("auto", "none"):
                raise InputTextError(
                    f"calibration {method!r} needs at least {self.calibration_folds} examples of every label, "
                    f"the rarest has {smallest}; add examples or use calibration='none'"
                )
            return "none", {}, {label: 0.0 for label in classes}, {}
        if method != "auto" and self.review_precision is None:  # nothing to choose or tune
            return method, {}, {label: 0.0 for label in classes}, {}
        scores = cross_val_predict(
            self._build_pipeline("none", adapted),
            inputs,
            label_ids,
            cv=self._folds(),
            method="decision_function",
            params=fit_params or None,
        )
        if scores.ndim == 1:  # two classes: one score, for the second class; softmax([0, s]) is its probability
            scores = np.column_stack([np.zeros_like(scores), scores])
        methods = CALIBRATION_METHODS if method == "auto" else ("none", method) if method != "none" else ("none",)
        report, calibrated = compare_calibration_methods(
            scores, label_ids, classes, self.calibration_folds, self.random_state, methods
        )
        if method == "auto":
            method = min(report, key=lambda name: (report[name]["log_loss"], CALIBRATION_METHODS.index(name)))
        if self.review_precision is None:
            return method, report, {label: 0.0 for label in classes}, {}
        tuning = tune_thresholds(label_ids, calibrated[method], classes, self.review_precision)
        return method, report, tuning.thresholds, tuning.to_dict()

    def _check_fitted(self) -> None:
        try:
            check_is_fitted(self, "pipeline_")
        except Exception as error:
            raise NotFittedError(
                "this ITWorkClassifier is not fitted yet; call fit(texts, labels) first "
                "or use classifier.load_model() for the shipped model"
            ) from error

    def _adapted_features(self) -> AdaptedFeatures | None:
        step = self.pipeline_.named_steps["features"]
        return step if isinstance(step, AdaptedFeatures) else None

    def _pipeline_inputs(self, texts: list[str], normalized: list[str], adapted: bool | None = None) -> list:
        """What the pipeline reads: normalized texts, paired with the raw ones if registers are adapted."""
        adapted = self._adapted_features() is not None if adapted is None else adapted
        return list(zip(normalized, texts)) if adapted else normalized

    def _plain_probabilities(self, texts: list[str]) -> np.ndarray:
        """Probabilities before any label priors, through the scikit-learn pipeline (no FastTfidf)."""
        normalized = self._get_normalizer().normalize_many(texts)
        return self.pipeline_.predict_proba(self._pipeline_inputs(texts, normalized))

    def _raw_probabilities(self, texts: list[str]) -> np.ndarray:
        """Probabilities before any label priors."""
        fast = FastTfidf.for_model(self)  # the same features as the pipeline's, many times faster
        if fast is None:
            return self._plain_probabilities(texts)
        if fast.chunk_vectorizer is None:
            features = fast.transform(texts)
        else:  # register-adapted: the detector's words come from the same pass
            both = fast.transform_with_chunks(texts)
            adapted = self._adapted_features()
            features = None if both is None else adapted.augment(both[0], adapted.register_weights_of(both[1]))
        if features is None:  # no texts, or a text holding the batch separator
            return self._plain_probabilities(texts)
        return self.pipeline_[-1].predict_proba(features)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probability of each label, shape ``(n_texts, 3)``, columns in ``classes_`` order.

        If label priors are set (:meth:`set_label_priors`), the probabilities
        are adjusted to them.
        """
        self._check_fitted()
        return self._to_label_priors(self._raw_probabilities(check_texts(texts)))

    def predict(self, texts: Sequence[str]) -> list[str]:
        """The most likely label id of each text."""
        probabilities = self.predict_proba(texts)
        return [str(label) for label in self.classes_[probabilities.argmax(axis=1)]]

    def decide(self, texts: Sequence[str], min_confidence: float | None = None) -> Decisions:
        """Labels, confidences, probabilities and the review and scope flags of many texts.

        ``min_confidence`` replaces the model's review thresholds with one
        threshold for every label.

        >>> from classifier import load_model
        >>> decisions = load_model().decide(["Swap the failed disk in the storage array"])
        >>> decisions.labels.tolist(), decisions.needs_review.tolist(), decisions.in_scope.tolist()
        (['commodity_outsourceable'], [False], [True])
        """
        self._check_fitted()
        texts = check_texts(texts)
        probabilities = self.predict_proba(texts)  # the fast route where the features allow it
        return self._decide(self._get_normalizer().normalize_many(texts), probabilities, min_confidence)

    def _decide(self, normalized: list[str], probabilities: np.ndarray, min_confidence: float | None) -> Decisions:
        if min_confidence is not None and not is_probability(min_confidence):
            raise InputTextError(f"min_confidence must be a number from 0 to 1, got {min_confidence!r}")
        best = probabilities.argmax(axis=1) if len(normalized) else np.zeros(0, dtype=int)
        labels = self.classes_[best] if len(normalized) else np.zeros(0, dtype=object)
        confidence = probabilities.max(axis=1) if len(normalized) else np.zeros(0)
        has_text = np.fromiter((bool(text) for text in normalized), dtype=bool, count=len(normalized))
        in_scope = self._in_scope(normalized) & has_text
        thresholds = self.review_thresholds() if min_confidence is None else float(min_confidence)
        needs_review = review_flags(labels, confidence, thresholds) | ~in_scope
        return Decisions(labels, confidence, probabilities, needs_review, in_scope, has_text)

    def _in_scope(self, normalized: list[str]) -> np.ndarray:
        scope = getattr(self, "scope_", None)
        if scope is None:
            return np.ones(len(normalized), dtype=bool)
        return scope.predict(normalized)

    def review_thresholds(self) -> dict[str, float]:
        """The confidence below which a prediction of each label needs review."""
        self._check_fitted()
        return dict(getattr(self, "review_thresholds_", {}) or {})

    def set_review_thresholds(self, thresholds: dict[str, float] | float) -> ITWorkClassifier:
        """Replace the review thresholds: one number for every label, or a dict per label. Returns self.

        >>> from classifier import load_model
        >>> load_model().set_review_thresholds(0.75).review_thresholds()["ktlo"]
        0.75
        """
        self._check_fitted()
        if not isinstance(thresholds, dict):
            thresholds = {str(label): thresholds for label in self.classes_}
        unknown = sorted(set(thresholds) - {str(label) for label in self.classes_})
        bad = {label: value for label, value in thresholds.items() if not is_probability(value)}
        if unknown or bad:
            raise InputTextError(
                f"review thresholds must map labels {', '.join(map(str, self.classes_))} to numbers from 0 to 1; "
                f"got unknown labels {unknown} and bad values {bad}"
            )
        self.review_thresholds_ = {**self.review_thresholds(), **{k: float(v) for k, v in thresholds.items()}}
        return self

    def decision_terms(
        self, normalized: str, label: str, n_terms: int = 5, text: str | None = None
    ) -> list[tuple[str, float]]:
        """The word features of one normalized text that pushed it most towards ``label``.

        With adapted registers, a word's weight is its shared weight plus its
        register weights in proportion to how much the raw ``text`` reads like
        each register (``text`` defaults to ``normalized``).
        """
        pipeline = self.pipeline_
        adapted = self._adapted_features()
        word = pipeline.named_steps["features"] if adapted is None else adapted.word_
        features = word.transform([normalized]).tocsr()
        if features.nnz == 0:
            return []
        coef = _linear_coefficients(pipeline.named_steps["classifier"], len(self.classes_))
        row = list(self.classes_).index(label)
        direction = coef[row] - coef.mean(axis=0)
        n_words = features.shape[1]
        if adapted is not None:  # fold each register's copy into the shared weights: [w, r1 * w, r1, r2 * w, r2 ...]
            weights = adapted.register_weights([normalized if text is None else text])[0]
            blocks = direction[n_words:].reshape(len(weights), n_words + 1)[:, :n_words]
            direction = direction[:n_words] + weights @ blocks
        if self._feature_names is None:
            self._feature_names = word.get_feature_names_out()
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
        decided = self._decide([normalized], self._to_label_priors(self._raw_probabilities([text])), None)
        label = str(decided.labels[0])
        return Prediction(
            text=text,
            label=label,
            confidence=float(decided.confidence[0]),
            probabilities={str(c): float(p) for c, p in zip(self.classes_, decided.probabilities[0])},
            top_terms=self.decision_terms(normalized, label, n_terms, text=text) if normalized else [],
            has_text=bool(decided.has_text[0]),
            needs_review=bool(decided.needs_review[0]),
            in_scope=bool(decided.in_scope[0]),
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
