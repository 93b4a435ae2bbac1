"""A fitted classifier as data: the config and numeric arrays :func:`model_to_data` gives ``save_model``.

The attributes of :data:`~classifier.model.FITTED_STATE` become a config
(checked against :class:`~classifier.bundle_schema.Config` before anything is
written) and a dict of numpy arrays of numbers only; strings (vocabularies,
training texts) become one UTF-8 byte array plus character offsets
(:func:`~classifier.bundle.pack_strings`). Only numbers, strings and the
classifier's parameters are kept: options set on the fitted inner objects
(``n_jobs``, ``input``...) are not, and a pipeline other than the one
``ITWorkClassifier`` builds, or a vocabulary whose columns are not 0 to n-1,
cannot be saved. :func:`classifier.bundle.model_from_data` reads it back.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.pipeline import Pipeline

from classifier.bundle import put_strings, word_blocks
from classifier.bundle_schema import FORMAT_VERSION, Config
from classifier.calibration import calibrator_state
from classifier.model import ITWorkClassifier
from classifier.registers import RegisterAdaptation, RegisterDetector
from classifier.scope import ScopeDetector

__all__ = ["model_to_data"]


def _terms(vectorizer: Any, field: str) -> list[str]:
    """A fitted vectorizer's terms in column order; ValueError unless its columns are 0..n-1, each once."""
    vocabulary = vectorizer.vocabulary_
    columns = np.fromiter(vocabulary.values(), dtype=np.int64, count=len(vocabulary))
    if not np.array_equal(np.sort(columns), np.arange(len(vocabulary))):
        raise ValueError(
            f"cannot save this model: {field} maps its {len(vocabulary)} terms to columns that are not "
            "0 to n-1 each once; the fitted state was changed after fit, fit the model again"
        )
    terms = [""] * len(vocabulary)
    for term, column in vocabulary.items():
        terms[column] = term
    return terms


def _check_layout(model: ITWorkClassifier) -> None:
    """The pipeline must be the one ``_build_pipeline`` makes from the parameters: only its numbers are saved."""
    expected = model._build_pipeline(tuple(model.adapted_registers_))
    found = model.pipeline_

    def shape(pipeline: Pipeline) -> list[str]:
        features = pipeline.named_steps["features"]
        inner = features.word if isinstance(features, RegisterAdaptation) else features
        return [type(features).__name__, type(inner).__name__, type(pipeline.steps[-1][1]).__name__]

    if not isinstance(found, Pipeline) or [name for name, _ in found.steps] != ["features", "classifier"]:
        raise ValueError("cannot save this model: pipeline_ is not the pipeline ITWorkClassifier.fit builds")
    if shape(found) != shape(expected):
        raise ValueError(
            f"cannot save this model: its pipeline ({', '.join(shape(found))}) is not the one its parameters "
            f"build ({', '.join(shape(expected))}); fit the model again"
        )


def model_to_data(model: ITWorkClassifier, versions: dict[str, str]) -> tuple[dict, dict[str, np.ndarray]]:
    """The config (a JSON-ready dict, checked against the schema) and the arrays of a fitted model."""
    _check_layout(model)
    arrays: dict[str, np.ndarray] = {}
    classes = [label.item() if isinstance(label, np.generic) else label for label in model.classes_]
    if not all(isinstance(label, str) for label in classes) and not all(
        isinstance(label, int) and not isinstance(label, bool) for label in classes
    ):
        raise ValueError(f"cannot save this model: its labels must all be str or all int, got {classes!r}")
    features = model.pipeline_.named_steps["features"]
    detector_classes = None
    if isinstance(features, RegisterAdaptation):
        detector: RegisterDetector = features.detector_
        put_strings(arrays, "detector.terms", _terms(detector.vectorizer_.counter_, "detector vocabulary"))
        arrays["detector.idf"] = detector.vectorizer_.tfidf_.idf_
        arrays["detector.coef"] = detector.classifier_.coef_
        arrays["detector.intercept"] = detector.classifier_.intercept_
        detector_classes = [str(name) for name in detector.classes_]
        features = features.word_
    word, char = word_blocks(features)
    put_strings(arrays, "word.terms", _terms(word.counter_, "word vocabulary"))
    arrays["word.idf"] = word.tfidf_.idf_
    if char is not None:
        put_strings(arrays, "char.terms", _terms(char, "character n-gram vocabulary"))
        arrays["char.idf"] = char.idf_
    linear = model.pipeline_.named_steps["classifier"]
    arrays["classifier.coef"], arrays["classifier.intercept"] = linear.coef_, linear.intercept_
    scope = None
    if model.scope_ is not None:
        expected = ScopeDetector(quantile=model.scope_quantile or 0.0, random_state=model.random_state)
        if model.scope_.get_params() != expected.get_params():
            raise ValueError("cannot save this model: scope_ has parameters ITWorkClassifier.fit does not set")
        put_strings(arrays, "scope.vocabulary", np.asarray(model.scope_.vocabulary_).tolist())
        arrays["scope.weights"] = np.asarray(model.scope_.weights_, dtype=np.float64)
        scope = {
            "unseen_weight": float(model.scope_.unseen_weight_),
            "threshold": float(model.scope_.threshold_),
            "n_corpus_tokens": int(model.scope_.n_corpus_tokens_),
        }
    encoder_files = None
    if model.encoder_ is not None:
        encoder, neighbours = model.encoder_, model.neighbours_
        if (encoder.model, encoder.max_length) != (model.encoder, model.encoder_max_length):
            raise ValueError("cannot save this model: encoder_ does not match the encoder parameters")
        encoder_files = dict(encoder.files_)
        arrays["neighbours.embeddings"] = np.asarray(neighbours.embeddings_, dtype=np.float32)
        index = {label: code for code, label in enumerate(model.classes_.tolist())}
        arrays["neighbours.labels"] = np.fromiter(
            (index[label] for label in neighbours.labels_.tolist()), dtype=np.int64, count=len(neighbours.labels_)
        )
        put_strings(arrays, "neighbours.texts", neighbours.texts_)
    if model.oof_probabilities_ is not None:
        arrays["oof_probabilities"] = np.asarray(model.oof_probabilities_, dtype=np.float64)

    def calibrator(fitted: Any) -> dict | None:
        return None if fitted is None else {"method": fitted.method, "maps": calibrator_state(fitted)}

    params = {key: list(value) if isinstance(value, tuple) else value for key, value in model.get_params().items()}
    config = {
        "format_version": FORMAT_VERSION,
        "estimator": "ITWorkClassifier",
        "versions": versions,
        "params": params,
        "classes": classes,
        "state": {
            "calibration_method": model.calibration_method_,
            "calibration_report": model.calibration_report_,
            "calibrator": calibrator(model.calibrator_),
            "cascade_calibrator": calibrator(model.cascade_calibrator_),
            "review_thresholds": {str(k): float(v) for k, v in (model.review_thresholds_ or {}).items()},
            "review_tuning": model.review_tuning_ or None,
            "training_priors": np.asarray(model.training_priors_, dtype=np.float64).tolist(),
            "label_priors": None if model.label_priors_ is None else np.asarray(model.label_priors_).tolist(),
            "register_priors": model.register_priors_,
            "adapted_registers": list(model.adapted_registers_),
            "detector_classes": detector_classes,
            "scope": scope,
            "encoder_files": encoder_files,
            "oof_probabilities": model.oof_probabilities_ is not None,
        },
    }
    Config.model_validate(config, strict=False)  # a saved bundle must pass the schema it is loaded with
    return config, arrays
