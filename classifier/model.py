"""The classifier: a feature block, a linear model, calibration, review thresholds and a scope check.

:class:`ITWorkClassifier` is a plain scikit-learn classifier: ``__init__``
only stores its keyword arguments, ``fit`` learns everything that ends in
``_`` (listed once in :data:`FITTED_STATE`, which persistence follows) and
returns ``self``, and ``predict_proba`` columns follow ``classes_``.

One prediction flows down ``pipeline_`` once: the feature block reads the raw
texts (normalizing each distinct chunk once, :mod:`classifier.word_tfidf`),
the linear model scores them and calibration turns the scores into
probabilities; label priors (:mod:`classifier.priors`) and the review and
scope flags are applied after.

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

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from classifier.calibration import CALIBRATION_METHODS, calibrate_out_of_fold
from classifier.encoder import ENCODERS, SentenceEncoder
from classifier.encoder_specs import DEFAULT_ENCODER
from classifier.errors import InputTextError, InvalidValueError, NotFittedError
from classifier.normalize import NormalizeTexts, TextNormalizer
from classifier.params import Interval, OneOf, check_params
from classifier.predictions import (
    MAX_TEXT_CHARS,
    Decisions,
    Prediction,
    TextInputMixin,
    _describe,
    check_labels,
    check_texts,
)
from classifier.priors import LabelPriorsMixin, register_label_mix
from classifier.registers import RegisterAdaptation, RegisterDetector, known_registers, registers_to_adapt
from classifier.scope import ScopeDetector
from classifier.semantic import NearestExamples, cascade, fill_embeddings
from classifier.thresholds import is_probability, review_flags, tune_thresholds
from classifier.word_tfidf import WordTfidf

__all__ = ["ITWorkClassifier", "FITTED_STATE", "DEFAULT_ENCODER"]

#: Everything ``fit`` learns. Persistence saves and restores exactly these attributes.
FITTED_STATE = (
    "pipeline_",
    "classes_",
    "calibrator_",
    "calibration_method_",
    "calibration_report_",
    "review_thresholds_",
    "review_tuning_",
    "training_priors_",
    "label_priors_",
    "register_priors_",
    "adapted_registers_",
    "scope_",
    "encoder_",
    "neighbours_",
    "cascade_calibrator_",
    "oof_probabilities_",
)


class ITWorkClassifier(TextInputMixin, LabelPriorsMixin, ClassifierMixin, BaseEstimator):
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
    encoder : str or None, default "all-MiniLM-L6-v2-int8"
        Sentence encoder of the semantic part (a key of
        :data:`classifier.encoder.ENCODERS`); ``None`` gives the n-gram model
        alone (faster, and worse on text unlike the training data).
    encoder_max_length : int, default 128
        Tokens the encoder reads per text; longer texts are cut.
    n_neighbors : int, default 50
        Training examples that vote in the semantic part (:mod:`classifier.semantic`).
    cascade_threshold : float, default 0.7
        Texts whose n-gram confidence is below this go to the semantic part;
        0 sends none, 1 sends all.
    semantic_weight : float, default 0.5
        Weight of the semantic probabilities for those texts (1.0 replaces
        the n-gram probabilities, 0.5 averages them).
    adapted_registers : tuple of str, default ("ticket",)
        Registers (kinds of text) that get their own copy of the word features
        when ``fit`` gets registers with at least 30 examples of them, so a
        word can weigh differently in tickets (:mod:`classifier.registers`).
        ``()`` turns this off.
    max_text_chars : int or None, default 100_000
        Characters of each text that ``fit``, ``predict`` and the other
        methods read; longer texts are cut, with one
        :class:`~classifier.errors.TextTruncatedWarning` per call saying how
        many. ``None`` reads everything (a 100 MB text then takes gigabytes).

    Attributes
    ----------
    classes_ : ndarray
        The labels seen in ``fit`` (any hashable values; the shipped model's
        are the three label ids), in the order of ``predict_proba`` columns.
    pipeline_ : sklearn.pipeline.Pipeline
        The feature block (:class:`~classifier.word_tfidf.WordTfidf`, wrapped
        in :class:`~classifier.registers.RegisterAdaptation` when registers are
        adapted) and the (calibrated) classifier, fitted on raw texts.
    calibrator_ : CalibratedClassifierCV or None
        Maps ``pipeline_``'s decision scores to probabilities; fitted on the
        out-of-fold scores that chose the method and the review thresholds.
        None when uncalibrated.
    calibration_method_ : str
        The calibration method used.
    calibration_report_ : dict
        Out-of-fold log loss and ECE of each method compared (empty if none were).
    review_thresholds_ : dict of str to float
        Confidence below which a prediction of each label needs review.
    review_tuning_ : dict
        Coverage and precision of those thresholds on out-of-fold predictions.
    encoder_ : SentenceEncoder or None
        The frozen sentence encoder; its files are checked when loaded.
    cascade_calibrator_ : CalibratedClassifierCV or None
        Temperature scaling of the cascade's probabilities (log-probabilities
        as scores), fitted on its out-of-fold probabilities where that lowers
        their log loss (averaging with the nearest examples' vote makes
        confidences too high); None with ``calibration="none"``. It never
        changes a predicted label.
    neighbours_ : NearestExamples or None
        The training texts' embeddings and labels: the semantic part's vote
        and its explanations (:meth:`nearest_examples`).
    oof_probabilities_ : ndarray of shape (n_texts, n_classes) or None
        Probabilities of the training texts, each from models fitted without
        it (``calibration_folds`` folds): what calibration, the cascade and the
        review thresholds were learned from, and what a model card's
        cross-validated metrics are computed from. None with fewer examples
        of some label than folds.
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

    _parameter_constraints: dict = {
        "ngram_range": [OneOf((1, 1), (1, 2), (2, 2))],
        "min_df": [Interval(int, 1, None)],
        "char_ngram_range": [None, "int pair"],
        "C": [Interval(float, 0, None, open_left=True)],
        "class_weight": [OneOf("balanced", None)],
        "lemmatize": [bool],
        "remove_stop_words": [bool],
        "mask": [bool],
        "max_iter": [Interval(int, 1, None)],
        "calibration": [OneOf("auto", *CALIBRATION_METHODS)],
        "calibration_folds": [Interval(int, 2, None)],
        "review_precision": [None, Interval(float, 0, 1, open_left=True)],
        "random_state": [Interval(int, 0, None)],
        "scope_quantile": [None, Interval(float, 0, 1, open_right=True)],
        "adapted_registers": ["tuple of str"],
        "encoder": [None, OneOf(*ENCODERS)],
        "encoder_max_length": [Interval(int, 8, 512)],
        "n_neighbors": [Interval(int, 1, None)],
        "cascade_threshold": [Interval(float, 0, 1)],
        "semantic_weight": [Interval(float, 0, 1, open_left=True)],
        "max_text_chars": [None, Interval(int, 1, None)],
    }

    def __init__(
        self,
        *,
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
        encoder: str | None = DEFAULT_ENCODER,
        encoder_max_length: int = 128,
        n_neighbors: int = 50,
        cascade_threshold: float = 0.7,
        semantic_weight: float = 0.5,
        max_text_chars: int | None = MAX_TEXT_CHARS,
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
        self.encoder = encoder
        self.encoder_max_length = encoder_max_length
        self.n_neighbors = n_neighbors
        self.cascade_threshold = cascade_threshold
        self.semantic_weight = semantic_weight
        self.max_text_chars = max_text_chars

    # -- building blocks ---------------------------------------------------

    def _normalizer(self) -> TextNormalizer:
        return TextNormalizer(lemmatize=self.lemmatize, remove_stop_words=self.remove_stop_words, mask=self.mask)

    def _build_pipeline(self, adapted: tuple[str, ...] = ()) -> Pipeline:
        """The feature block and the classifier: one line per feature block."""
        normalizer = {"lemmatize": self.lemmatize, "remove_stop_words": self.remove_stop_words, "mask": self.mask}
        low, high = self.ngram_range
        features = WordTfidf(ngram_range=(low, high), min_df=self.min_df, **normalizer)
        if self.char_ngram_range is not None:
            char = TfidfVectorizer(
                analyzer="char_wb",
                lowercase=False,
                ngram_range=tuple(self.char_ngram_range),
                min_df=2,
                sublinear_tf=True,
                dtype=np.float32,
            )
            features = FeatureUnion([("word", features), ("char", make_pipeline(NormalizeTexts(**normalizer), char))])
        if adapted:
            features = RegisterAdaptation(word=features, registers=adapted, detector=RegisterDetector())
        classifier = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=self.max_iter)
        return Pipeline([("features", features), ("classifier", classifier)])

    def _check_texts(self, texts: object) -> list[str]:
        """``texts`` checked, each cut to ``max_text_chars`` characters (the one check of every public method)."""
        return check_texts(texts, max_chars=self.max_text_chars)

    def normalize(self, texts: Sequence[str]) -> list[str]:
        """The normalized form of each text, as the word features see it."""
        return self._normalizer().normalize_many(self._check_texts(texts))

    # -- scikit-learn API ----------------------------------------------------

    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[Hashable],
        sample_weight: Sequence[float] | None = None,
        registers: Sequence[str | None] | None = None,
        embeddings: np.ndarray | None = None,
    ) -> ITWorkClassifier:
        """Fit on texts and their labels (any hashable values, at least two different ones). Returns self.

        ``embeddings`` optionally gives the encoder's embedding of each text,
        shape ``(n_texts, dim)``, NaN rows for texts to encode (a cache:
        ``NearestExamples.embeddings_of`` of an earlier model gives it).

        ``registers`` optionally names the kind of each text (``"ticket"``,
        ``"task_statement"``; ``None`` or blank if unknown). The model keeps
        each register's label proportions (``register_priors_``) for
        :meth:`set_label_priors`, and each register in ``adapted_registers``
        with at least 30 examples gets its own copy of the word features
        (:mod:`classifier.registers`), applied when predicting in proportion to
        how much a text reads like that register.
        """
        check_params(self)
        texts = self._check_texts(texts)
        y = check_labels(labels, len(texts))
        if registers is not None:
            if isinstance(registers, str):
                raise TypeError("registers must be a list with one register per text, not a single str")
            registers = list(registers)
            if len(registers) != len(texts):
                raise InputTextError(
                    f"got {len(texts)} texts but {len(registers)} registers; give one register (or None) per text"
                )
        normalized = self._normalizer().normalize_many(texts)
        empty = [index for index, text in enumerate(normalized) if not text]
        if empty:
            shown = ", ".join(f"{index} ({_describe(texts[index])})" for index in empty[:10])
            raise InputTextError(f"{len(empty)} training texts have no usable words, at positions {shown}; remove them")
        adapted = registers_to_adapt(tuple(self.adapted_registers), registers)
        fit_params: dict[str, Any] = {}
        if sample_weight is not None:
            fit_params["classifier__sample_weight"] = np.asarray(sample_weight)
        if adapted:
            assert registers is not None  # registers_to_adapt adapts nothing without registers
            fit_params["features__registers"] = known_registers(registers)
        # One BLAS thread: L-BFGS's vector operations are far too small to share, and OpenBLAS's threads
        # made each fit 10-15x slower on a busy 2-core machine (benchmarks/RESULTS.md, "Training time").
        with threadpool_limits(limits=1, user_api="blas"):
            calibrator, method, report, oof = self._learn_calibration(texts, y, fit_params, adapted)
            pipeline = self._build_pipeline(adapted).fit(texts, y, **fit_params)
        encoder, neighbours, oof = self._fit_semantic(texts, y, embeddings, oof)
        cascade_calibrator = None
        if encoder is not None and oof is not None and self.calibration != "none":
            # Temperature scaling of the cascade, kept only where it lowers the out-of-fold log loss.
            scaled, _, cascade_report, scaled_oof = calibrate_out_of_fold(
                _log(oof), y, "temperature", self.calibration_folds, self.random_state
            )
            if cascade_report["temperature"]["log_loss"] < cascade_report["none"]["log_loss"]:
                cascade_calibrator, oof = scaled, scaled_oof
        self.cascade_calibrator_ = cascade_calibrator
        thresholds, tuning = self._tune_review(y, oof)
        self.oof_probabilities_ = oof
        self.pipeline_ = pipeline
        self.encoder_ = encoder
        self.neighbours_ = neighbours
        self.calibrator_ = calibrator
        self.adapted_registers_ = adapted
        self.classes_ = pipeline.classes_
        self.calibration_method_ = method
        self.calibration_report_ = report
        self.review_thresholds_ = thresholds
        self.review_tuning_ = tuning
        weights = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        if self.class_weight == "balanced":
            self.training_priors_ = np.full(len(self.classes_), 1 / len(self.classes_))
        else:
            shares = np.array([weights[y == label].sum() for label in self.classes_])
            self.training_priors_ = shares / shares.sum()
        self.label_priors_ = None
        self.register_priors_ = {} if registers is None else register_label_mix(registers, y, self.classes_, weights)
        self.scope_ = (
            None
            if self.scope_quantile is None
            else ScopeDetector(quantile=self.scope_quantile, random_state=self.random_state).fit(normalized)
        )
        return self

    def _folds(self) -> StratifiedKFold:
        return StratifiedKFold(n_splits=self.calibration_folds, shuffle=True, random_state=self.random_state)

    def _learn_calibration(self, texts: list[str], labels: np.ndarray, fit_params: dict, adapted: tuple[str, ...]):
        """Calibrator, method, the methods' report and the out-of-fold probabilities (:func:`calibrate_out_of_fold`)."""
        classes, counts = np.unique(labels, return_counts=True)
        smallest = int(counts.min())
        if smallest < max(self.calibration_folds, 2):
            if self.calibration not in ("auto", "none"):
                raise InputTextError(
                    f"calibration {self.calibration!r} needs at least {self.calibration_folds} examples of every "
                    f"label, the rarest has {smallest}; add examples or use calibration='none'"
                )
            return None, "none", {}, None
        scores = _two_columns(
            cross_val_predict(
                self._build_pipeline(adapted),
                texts,
                labels,
                cv=self._folds(),
                method="decision_function",
                params=fit_params or None,
            )
        )
        return calibrate_out_of_fold(scores, labels, self.calibration, self.calibration_folds, self.random_state)

    def _fit_semantic(self, texts: list[str], labels: np.ndarray, embeddings: np.ndarray | None, oof: Any):
        """The encoder and the nearest training examples; the out-of-fold probabilities with the cascade applied."""
        if self.encoder is None:
            if embeddings is not None:
                raise InputTextError("embeddings were given but this model has no encoder; set encoder= or drop them")
            return None, None, oof
        encoder = SentenceEncoder(model=self.encoder, max_length=self.encoder_max_length).fit()
        vectors = fill_embeddings(encoder, texts, embeddings)
        neighbours = NearestExamples(n_neighbors=self.n_neighbors).fit(vectors, labels, texts)
        if oof is not None:
            semantic = cross_val_predict(
                NearestExamples(n_neighbors=self.n_neighbors), vectors, labels, cv=self._folds(), method="predict_proba"
            )
            oof = cascade(oof, lambda rows: semantic[rows], texts, self.cascade_threshold, self.semantic_weight)[0]
        return encoder, neighbours, oof

    def _tune_review(self, labels: np.ndarray, oof: np.ndarray | None) -> tuple[dict[str, float], dict]:
        """Review thresholds from the out-of-fold probabilities (none without them or without review_precision)."""
        classes = np.unique(labels)
        if oof is None or self.review_precision is None:
            return {str(label): 0.0 for label in classes}, {}
        tuning = tune_thresholds(labels, oof, classes, self.review_precision)
        return tuning.thresholds, tuning.to_dict()

    def _check_fitted(self) -> None:
        try:
            check_is_fitted(self, "pipeline_")
        except Exception as error:
            raise NotFittedError(
                "this ITWorkClassifier is not fitted yet; call fit(texts, labels) first "
                "or use classifier.load_model() for the shipped model"
            ) from error

    def _raw_probabilities(self, texts: list[str]) -> np.ndarray:
        """Probabilities before any label priors."""
        return self._probabilities_and_route(texts)[0]

    def _probabilities_and_route(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Featurize, score and calibrate; texts the n-gram part is unsure of go to the semantic part.

        Returns the probabilities and a mask of the texts the semantic part scored.
        """
        if self.calibrator_ is None:
            probabilities = self.pipeline_.predict_proba(texts)
        else:
            probabilities = self.calibrator_.predict_proba(_two_columns(self.pipeline_.decision_function(texts)))
        if self.encoder_ is None:
            return probabilities, np.zeros(len(texts), dtype=bool)

        def semantic(rows: np.ndarray) -> np.ndarray:
            return self.neighbours_.predict_proba(self.encoder_.transform([texts[row] for row in rows]))

        probabilities, routed = cascade(probabilities, semantic, texts, self.cascade_threshold, self.semantic_weight)
        if self.cascade_calibrator_ is not None:
            probabilities = self.cascade_calibrator_.predict_proba(_log(probabilities))
        return probabilities, routed

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probability of each label, shape ``(n_texts, n_classes)``, columns in ``classes_`` order.

        If label priors are set (:meth:`set_label_priors`), the probabilities
        are adjusted to them.
        """
        self._check_fitted()
        return self._to_label_priors(self._raw_probabilities(self._check_texts(texts)))

    def predict(self, texts: Sequence[str]) -> list:
        """The most likely label of each text."""
        probabilities = self.predict_proba(texts)
        return self.classes_[probabilities.argmax(axis=1)].tolist()

    def decide(self, texts: Sequence[str], min_confidence: float | None = None) -> Decisions:
        """Labels, confidences, probabilities and the review and scope flags of many texts.

        ``min_confidence`` replaces the model's review thresholds with one
        threshold for every label.

        >>> model = ITWorkClassifier(scope_quantile=None).fit(
        ...     ["reset my password", "unlock account, reset password", "patch our claims app",
        ...      "fix the billing batch job"], ["commodity", "commodity", "ktlo", "ktlo"])
        >>> decisions = model.decide(["reset the password", ""])
        >>> decisions.labels.tolist(), decisions.has_text.tolist()
        (['commodity', 'ktlo'], [True, False])
        """
        self._check_fitted()
        if min_confidence is not None and not is_probability(min_confidence):
            raise InvalidValueError(f"min_confidence must be a number from 0 to 1, got {min_confidence!r}")
        texts = self._check_texts(texts)
        raw, semantic = self._probabilities_and_route(texts)
        probabilities = self._to_label_priors(raw)
        normalized = self._normalizer().normalize_many(texts)
        best = probabilities.argmax(axis=1) if len(texts) else np.zeros(0, dtype=int)
        labels = self.classes_[best] if len(texts) else np.zeros(0, dtype=object)
        confidence = probabilities.max(axis=1) if len(texts) else np.zeros(0)
        has_text = np.fromiter((bool(text) for text in normalized), dtype=bool, count=len(normalized))
        in_scope = (
            np.ones(len(texts), dtype=bool) if self.scope_ is None else self.scope_.predict(normalized)
        ) & has_text
        thresholds = self.review_thresholds() if min_confidence is None else float(min_confidence)
        needs_review = review_flags(labels, confidence, thresholds) | ~in_scope
        return Decisions(labels, confidence, probabilities, needs_review, in_scope, has_text, semantic)

    def review_thresholds(self) -> dict[str, float]:
        """The confidence below which a prediction of each label needs review."""
        self._check_fitted()
        return dict(self.review_thresholds_ or {})

    def set_review_thresholds(self, thresholds: dict[str, float] | float) -> ITWorkClassifier:
        """Replace the review thresholds: one number for every label, or a dict per label. Returns self."""
        self._check_fitted()
        if not isinstance(thresholds, dict):
            thresholds = {str(label): thresholds for label in self.classes_}
        unknown = sorted(set(thresholds) - {str(label) for label in self.classes_})
        bad = {label: value for label, value in thresholds.items() if not is_probability(value)}
        if unknown or bad:
            raise InvalidValueError(
                f"review thresholds must map labels {', '.join(map(str, self.classes_))} to numbers from 0 to 1; "
                f"got unknown labels {unknown} and bad values {bad}"
            )
        self.review_thresholds_ = {**self.review_thresholds(), **{k: float(v) for k, v in thresholds.items()}}
        return self

    def decision_terms(self, text: str, label: Hashable, n_terms: int = 5) -> list[tuple[str, float]]:
        """The word features of one raw text that pushed it most towards ``label``, with their weights.

        With adapted registers, a word's weight is its shared weight plus its
        register weights in proportion to how much ``text`` reads like each
        register.
        """
        self._check_fitted()
        features = self.pipeline_.named_steps["features"]
        adaptation = features if isinstance(features, RegisterAdaptation) else None
        word = features if adaptation is None else adaptation.word_
        values = word.transform([text]).tocsr()
        if values.nnz == 0:
            return []
        coef = _linear_coefficients(self.pipeline_.named_steps["classifier"], len(self.classes_))
        row = list(self.classes_).index(label)
        direction = coef[row] - coef.mean(axis=0)
        if adaptation is not None:
            direction = adaptation.word_direction(direction, text)
        names = word.get_feature_names_out()
        contributions = values.data * direction[values.indices]
        order = np.argsort(-contributions, kind="stable")[:n_terms]
        return [
            (_display_feature(names[values.indices[i]]), round(float(contributions[i]), 4))
            for i in order
            if contributions[i] > 0
        ]

    def nearest_examples(self, texts: Sequence[str], n: int = 3) -> list[list[tuple[str, str, float]]]:
        """For each text, the ``n`` training examples closest in meaning: ``(text, label, cosine similarity)``.

        Empty lists for a model without an encoder.
        """
        self._check_fitted()
        texts = self._check_texts(texts)
        if self.encoder_ is None:
            return [[] for _ in texts]
        return self.neighbours_.nearest(self.encoder_.transform(texts), n)

    def classify(self, text: str, n_terms: int = 5) -> Prediction:
        """Label one text and explain the decision with the terms that pushed it there."""
        if not isinstance(text, str):
            raise TypeError(f"classify takes one str, got {type(text).__name__}; use predict() for lists")
        text = self._check_texts([text])[0]
        decided = self.decide([text])
        label = decided.labels[0]
        return Prediction(
            text=text,
            label=str(label),
            confidence=float(decided.confidence[0]),
            probabilities={str(c): float(p) for c, p in zip(self.classes_, decided.probabilities[0])},
            top_terms=self.decision_terms(text, label, n_terms) if decided.has_text[0] else [],
            neighbours=self.nearest_examples([text])[0] if decided.has_text[0] else [],
            semantic=bool(decided.semantic is not None and decided.semantic[0]),
            has_text=bool(decided.has_text[0]),
            needs_review=bool(decided.needs_review[0]),
            in_scope=bool(decided.in_scope[0]),
        )


def _log(probabilities: np.ndarray) -> np.ndarray:
    """Log-probabilities as decision scores for a calibrator (probabilities of 0 floored at 1e-12)."""
    return np.log(np.clip(np.asarray(probabilities, dtype=np.float64), 1e-12, 1.0))


def _two_columns(scores: np.ndarray) -> np.ndarray:
    """Decision scores with one column per class: two classes get one score, for the second; softmax([0, s])."""
    return np.column_stack([np.zeros_like(scores), scores]) if scores.ndim == 1 else scores


def _linear_coefficients(classifier, n_classes: int) -> np.ndarray:
    """Coefficients of shape (n_classes, n_features) of a fitted linear classifier."""
    coef = classifier.coef_
    if coef.shape[0] == 1 and n_classes == 2:
        coef = np.vstack([-coef[0], coef[0]])
    return np.asarray(coef)


def _display_feature(name: str) -> str:
    # FeatureUnion prefixes names ("word__reset password"); keep the term only.
    return name.split("__", 1)[1] if "__" in name else name
