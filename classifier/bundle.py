"""A fitted classifier as data and back: a checked JSON config plus named numeric arrays.

:func:`model_to_data` turns the attributes of
:data:`~classifier.model.FITTED_STATE` into a config (validated against
:class:`~classifier.bundle_schema.Config`) and a dict of numpy arrays of
numbers only; strings (vocabularies, training texts) are stored as one UTF-8
byte array plus character offsets. :func:`model_from_data` does the reverse:
it checks every value and every invariant, then builds each object with this
package's own code (``ITWorkClassifier._build_pipeline`` and the ``restore``
methods), so only numbers, strings and checked parameters come from a file.
Any problem is one :class:`~classifier.errors.ModelLoadError` naming the field.

Invariants checked on load:

* each array has the expected dtype and number of dimensions (:func:`expected_arrays`,
  checked from the file's header before any data is read) and finite values;
* a vocabulary is its terms in column order, so a term's column is its
  position: columns are in range and unique by construction; terms must be
  unique, non-empty and shaped as the n-gram range allows, and there must be
  exactly one IDF value per term;
* coefficient matrices agree with the feature count and the classes;
* the classes are the bundle's declared ``classes`` everywhere (linear model,
  calibrators, thresholds, priors, nearest examples);
* thresholds and priors are in [0, 1], and priors and probabilities sum to 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import methodcaller
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline

from classifier.bundle_schema import FORMAT_VERSION, Config
from classifier.calibration import calibrator_state, restore_calibrator
from classifier.encoder import ENCODERS, SentenceEncoder
from classifier.errors import ModelLoadError
from classifier.model import FITTED_STATE, ITWorkClassifier
from classifier.params import check_params
from classifier.registers import OTHER_REGISTERS, RegisterAdaptation, RegisterDetector, restore_logistic
from classifier.scope import ScopeDetector
from classifier.semantic import NearestExamples
from classifier.word_tfidf import WordTfidf

__all__ = ["model_to_data", "model_from_data", "expected_arrays", "pack_strings", "unpack_strings"]

_SUM_TOLERANCE = 1e-5  # priors and probabilities rounded to 6 decimals still sum to 1 within this


# -- strings as arrays -------------------------------------------------------


def pack_strings(strings: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Strings as one UTF-8 byte array and the character offset where each starts (plus the end).

    >>> data, offsets = pack_strings(["ab", "", "ç"])
    >>> data.tolist(), offsets.tolist()
    ([97, 98, 195, 167], [0, 2, 2, 3])
    >>> unpack_strings(data, offsets, "x")
    ['ab', '', 'ç']
    """
    text = "".join(strings)
    offsets = np.zeros(len(strings) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, strings), dtype=np.int64, count=len(strings)), out=offsets[1:])
    return np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8).copy(), offsets


def unpack_strings(data: np.ndarray, offsets: np.ndarray, field: str) -> list[str]:
    """The strings packed by :func:`pack_strings`; ModelLoadError naming ``field`` if they do not fit."""
    try:
        text = data.tobytes().decode("utf-8", "surrogatepass")
    except UnicodeDecodeError as error:
        raise _bad(f"{field}.text", f"is not UTF-8 ({error})") from None
    if offsets.ndim != 1 or len(offsets) < 1 or offsets[0] != 0 or offsets[-1] != len(text):
        raise _bad(f"{field}.offsets", f"must start at 0 and end at the text's length {len(text)}")
    starts, ends = offsets[:-1], offsets[1:]
    if (ends < starts).any():
        raise _bad(f"{field}.offsets", "must not decrease")
    return [text[start:end] for start, end in zip(starts.tolist(), ends.tolist())]


def _put_strings(arrays: dict[str, np.ndarray], name: str, strings: Sequence[str]) -> None:
    arrays[f"{name}.text"], arrays[f"{name}.offsets"] = pack_strings(list(strings))


# -- model -> data -------------------------------------------------------------


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


def _word_blocks(block: Any) -> tuple[WordTfidf, TfidfVectorizer | None]:
    if isinstance(block, FeatureUnion):
        word, char = block.transformer_list[0][1], block.transformer_list[1][1].steps[-1][1]
        return word, char
    return block, None


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
        _put_strings(arrays, "detector.terms", _terms(detector.vectorizer_.counter_, "detector vocabulary"))
        arrays["detector.idf"] = detector.vectorizer_.tfidf_.idf_
        arrays["detector.coef"] = detector.classifier_.coef_
        arrays["detector.intercept"] = detector.classifier_.intercept_
        detector_classes = [str(name) for name in detector.classes_]
        features = features.word_
    word, char = _word_blocks(features)
    _put_strings(arrays, "word.terms", _terms(word.counter_, "word vocabulary"))
    arrays["word.idf"] = word.tfidf_.idf_
    if char is not None:
        _put_strings(arrays, "char.terms", _terms(char, "character n-gram vocabulary"))
        arrays["char.idf"] = char.idf_
    linear = model.pipeline_.named_steps["classifier"]
    arrays["classifier.coef"], arrays["classifier.intercept"] = linear.coef_, linear.intercept_
    scope = None
    if model.scope_ is not None:
        expected = ScopeDetector(quantile=model.scope_quantile or 0.0, random_state=model.random_state)
        if model.scope_.get_params() != expected.get_params():
            raise ValueError("cannot save this model: scope_ has parameters ITWorkClassifier.fit does not set")
        _put_strings(arrays, "scope.vocabulary", np.asarray(model.scope_.vocabulary_).tolist())
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
        _put_strings(arrays, "neighbours.texts", neighbours.texts_)
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


# -- data -> model ---------------------------------------------------------------


def _bad(field: str, problem: str) -> ModelLoadError:
    return ModelLoadError(f"{field} {problem}")


def expected_arrays(config: Config) -> dict[str, tuple[tuple[str, ...], int]]:
    """The arrays a bundle with this config holds: name -> (allowed dtypes, number of dimensions)."""
    strings = {"text": (("uint8",), 1), "offsets": (("int64",), 1)}
    floats = ("float32", "float64")
    names: dict[str, tuple[tuple[str, ...], int]] = {}

    def add_strings(name: str) -> None:
        names.update({f"{name}.{part}": spec for part, spec in strings.items()})

    add_strings("word.terms")
    names["word.idf"] = (("float32",), 1)
    if config.params.char_ngram_range is not None:  # type: ignore[attr-defined]
        add_strings("char.terms")
        names["char.idf"] = (("float32", "float64"), 1)
    names["classifier.coef"], names["classifier.intercept"] = (floats, 2), (floats, 1)
    if config.state.adapted_registers:
        add_strings("detector.terms")
        names["detector.idf"] = (("float32",), 1)
        names["detector.coef"], names["detector.intercept"] = (floats, 2), (floats, 1)
    if config.state.scope is not None:
        add_strings("scope.vocabulary")
        names["scope.weights"] = (("float64",), 1)
    if config.params.encoder is not None:  # type: ignore[attr-defined]
        names["neighbours.embeddings"], names["neighbours.labels"] = (("float32",), 2), (("int64",), 1)
        add_strings("neighbours.texts")
    if config.state.oof_probabilities:
        names["oof_probabilities"] = (("float64",), 2)
    return names


def _finite(array: np.ndarray, field: str) -> np.ndarray:
    if not np.isfinite(array).all():
        raise _bad(field, "holds values that are not finite numbers (NaN or infinity)")
    return array


def _vocabulary(arrays: dict[str, np.ndarray], name: str, words: tuple[int, ...] | None, lengths=None) -> list[str]:
    """Checked terms: unique, non-empty; ``words``: allowed numbers of space-separated words per term."""
    terms = unpack_strings(arrays[f"{name}.text"], arrays[f"{name}.offsets"], name)
    if not terms:
        raise _bad(name, "is empty; a fitted vocabulary has at least one term")
    if len(set(terms)) != len(terms):
        seen: set[str] = set()
        duplicate = next(term for term in terms if term in seen or seen.add(term))  # type: ignore[func-returns-value]
        raise _bad(name, f"holds the term {duplicate!r} twice; each column needs its own term")
    if words is not None:
        joined = "".join(terms)
        if any(character.isspace() and character != " " for character in set(joined)):
            raise _bad(name, "holds a term with whitespace other than single spaces")
        spaces = set(map(methodcaller("count", " "), terms))
        allowed = {count - 1 for count in words}
        if not spaces <= allowed or any(term[0] == " " or term[-1] == " " or "  " in term for term in terms):
            raise _bad(name, f"holds terms that are not {' or '.join(map(str, words))} words separated by a space")
    if lengths is not None:
        low, high = lengths
        if not all(low <= len(term) <= high for term in terms):
            raise _bad(name, f"holds terms outside the character n-gram lengths {low} to {high}")
    return terms


def _idf(arrays: dict[str, np.ndarray], name: str, terms: list[str]) -> np.ndarray:
    idf = arrays.get(f"{name}.idf")
    if idf is None:
        raise _bad(f"{name}.idf", "is missing")
    if idf.shape != (len(terms),):
        raise _bad(f"{name}.idf", f"has shape {idf.shape} but {name}.terms has {len(terms)} terms; they must agree")
    if not (_finite(idf, f"{name}.idf") > 0).all():
        raise _bad(f"{name}.idf", "holds values that are not positive")
    return idf


def _linear(arrays: dict[str, np.ndarray], name: str, n_classes: int, n_features: int) -> tuple[np.ndarray, ...]:
    coef, intercept = arrays[f"{name}.coef"], arrays[f"{name}.intercept"]
    rows = 1 if n_classes == 2 else n_classes
    if coef.shape != (rows, n_features):
        raise _bad(
            f"{name}.coef",
            f"has shape {coef.shape}; {n_classes} classes and {n_features} features need ({rows}, {n_features})",
        )
    if intercept.shape != (rows,) or intercept.dtype != coef.dtype:
        raise _bad(
            f"{name}.intercept", f"has shape {intercept.shape} ({intercept.dtype}); it needs ({rows},) {coef.dtype}"
        )
    return _finite(coef, f"{name}.coef"), _finite(intercept, f"{name}.intercept")


def _distribution(values: Sequence[float] | np.ndarray, field: str) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if abs(array.sum() - 1.0) > _SUM_TOLERANCE:
        raise _bad(field, f"sums to {array.sum():.6g}; label shares must sum to 1")
    return array


def _calibrator(spec: Any, classes: list, field: str) -> Any:
    if spec is None:
        return None
    expected = 1 if spec.method == "temperature" or len(classes) == 2 else len(classes)
    if len(spec.maps) != expected:
        raise _bad(
            f"{field}.maps", f"has {len(spec.maps)} maps; {spec.method} over {len(classes)} classes needs {expected}"
        )
    for position, one in enumerate(spec.maps):
        if spec.method == "isotonic" and (len(one.x) != len(one.y) or one.x_min > one.x_max):
            raise _bad(f"{field}.maps.{position}", "needs as many x as y thresholds and x_min <= x_max")
    return restore_calibrator(spec.method, classes, [one.model_dump() for one in spec.maps])


def _params(config: Config) -> dict[str, Any]:
    params = config.params.model_dump()  # type: ignore[attr-defined]
    model = ITWorkClassifier(**params)
    try:
        check_params(model)
    except ValueError as error:
        raise _bad("params", f"are outside the values ITWorkClassifier accepts: {error}") from None
    return params


def model_from_data(config: Config, arrays: dict[str, np.ndarray]) -> ITWorkClassifier:
    """Build a fitted classifier from a validated config and its arrays, checking every invariant."""
    model = ITWorkClassifier(**_params(config))
    state = config.state
    classes: list[Any] = list(config.classes)
    if classes != sorted(set(classes)):
        raise _bad("classes", f"must be distinct and sorted (as fit leaves them), got {classes}")
    names = [str(label) for label in classes]
    n_classes = len(classes)
    adapted = tuple(state.adapted_registers)
    if not set(adapted) <= set(model.adapted_registers) or len(set(adapted)) != len(adapted):
        raise _bad("state.adapted_registers", f"{list(adapted)} must be distinct registers of params.adapted_registers")
    pipeline = model._build_pipeline(adapted)
    features = pipeline.named_steps["features"]
    detector = None
    if adapted:
        detector_classes = list(state.detector_classes or ())
        if (
            detector_classes != sorted(set(detector_classes))
            or not (set(adapted) <= set(detector_classes) <= set(adapted) | {OTHER_REGISTERS})
            or len(detector_classes) < 2
        ):
            raise _bad(
                "state.detector_classes",
                f"{detector_classes} must be the adapted registers (and {OTHER_REGISTERS!r}), sorted",
            )
        terms = _vocabulary(arrays, "detector.terms", (1,))
        idf = _idf(arrays, "detector", terms)
        coef, intercept = _linear(arrays, "detector", len(detector_classes), len(terms))
        detector = clone(features.detector).restore(terms, idf, detector_classes, coef, intercept)
        word_block = clone(features.word)
    else:
        if state.detector_classes is not None:
            raise _bad("state.detector_classes", "must be null without adapted registers")
        word_block = features
    word, char = _word_blocks(word_block)
    terms = _vocabulary(arrays, "word.terms", tuple(range(word.ngram_range[0], word.ngram_range[1] + 1)))
    word.restore(terms, _idf(arrays, "word", terms))
    n_words = len(terms)
    if char is not None:
        char_terms = _vocabulary(arrays, "char.terms", None, char.ngram_range)
        char.vocabulary_ = dict(zip(char_terms, range(len(char_terms))))
        char.fixed_vocabulary_ = False
        char.idf_ = _idf(arrays, "char", char_terms)
        n_words += len(char_terms)
    if adapted:
        features.restore(word_block, detector, adapted)
    n_features = n_words * (1 + len(adapted)) + len(adapted)
    coef, intercept = _linear(arrays, "classifier", n_classes, n_features)
    restore_logistic(pipeline.named_steps["classifier"], classes, coef, intercept)
    model.pipeline_ = pipeline
    model.classes_ = pipeline.named_steps["classifier"].classes_
    model.adapted_registers_ = adapted

    model.calibration_method_ = state.calibration_method
    model.calibration_report_ = {method: scores.model_dump() for method, scores in state.calibration_report.items()}
    if (state.calibrator is None) != (state.calibration_method == "none") or (
        state.calibrator is not None and state.calibrator.method != state.calibration_method
    ):
        raise _bad("state.calibrator", f"does not match state.calibration_method {state.calibration_method!r}")
    model.calibrator_ = _calibrator(state.calibrator, classes, "state.calibrator")
    model.cascade_calibrator_ = _calibrator(state.cascade_calibrator, classes, "state.cascade_calibrator")

    if set(state.review_thresholds) != set(names):
        raise _bad(
            "state.review_thresholds",
            f"must give one threshold for each class {names}, got {sorted(state.review_thresholds)}",
        )
    model.review_thresholds_ = dict(state.review_thresholds)
    tuning = state.review_tuning
    if tuning is not None and not set(tuning.thresholds) == set(tuning.per_class) == set(names):
        raise _bad("state.review_tuning", f"must describe each class {names}")
    model.review_tuning_ = {} if tuning is None else tuning.model_dump()
    for field, priors in (("state.training_priors", state.training_priors), ("state.label_priors", state.label_priors)):
        if priors is not None and len(priors) != n_classes:
            raise _bad(field, f"has {len(priors)} values for {n_classes} classes")
    training = _distribution(state.training_priors, "state.training_priors")
    if not (training > 0).all():
        raise _bad("state.training_priors", "must all be positive (probabilities are divided by them)")
    model.training_priors_ = training
    model.label_priors_ = (
        None if state.label_priors is None else _distribution(state.label_priors, "state.label_priors")
    )
    for register, mix in state.register_priors.items():
        if set(mix) != set(names):
            raise _bad(f"state.register_priors.{register}", f"must give a share for each class {names}")
        _distribution(list(mix.values()), f"state.register_priors.{register}")
    model.register_priors_ = {register: dict(mix) for register, mix in state.register_priors.items()}

    model.scope_ = _scope(model, state, arrays)
    model.encoder_, model.neighbours_ = _semantic(model, state, arrays, classes)
    model.oof_probabilities_ = None
    if state.oof_probabilities:
        oof = arrays["oof_probabilities"]
        if oof.shape[1:] != (n_classes,) or not ((oof >= 0) & (oof <= 1)).all():
            raise _bad("oof_probabilities", f"must have {n_classes} columns of probabilities, got shape {oof.shape}")
        if (np.abs(oof.sum(axis=1) - 1) > _SUM_TOLERANCE).any():
            raise _bad("oof_probabilities", "has rows that do not sum to 1")
        model.oof_probabilities_ = oof
    missing = [name for name in FITTED_STATE if not hasattr(model, name)]
    assert not missing, missing  # every fitted attribute is built above
    return model


def _scope(model: ITWorkClassifier, state: Any, arrays: dict[str, np.ndarray]) -> ScopeDetector | None:
    if state.scope is None:
        return None
    if model.scope_quantile is None:
        raise _bad("state.scope", "must be null when params.scope_quantile is null")
    vocabulary = _vocabulary(arrays, "scope.vocabulary", (1,))
    weights = arrays["scope.weights"]
    if weights.shape != (len(vocabulary),):
        raise _bad("scope.weights", f"has shape {weights.shape} for {len(vocabulary)} terms; they must agree")
    scope = ScopeDetector(quantile=model.scope_quantile, random_state=model.random_state)
    scope.vocabulary_ = np.asarray(vocabulary, dtype=str)
    scope.weights_ = _finite(weights, "scope.weights")
    scope.unseen_weight_ = state.scope.unseen_weight
    scope.threshold_ = state.scope.threshold
    scope.n_corpus_tokens_ = state.scope.n_corpus_tokens
    return scope


def _semantic(model: ITWorkClassifier, state: Any, arrays: dict[str, np.ndarray], classes: list) -> tuple[Any, Any]:
    if model.encoder is None:
        if state.encoder_files is not None or state.cascade_calibrator is not None:
            raise _bad("state.encoder_files", "and state.cascade_calibrator must be null when params.encoder is null")
        return None, None
    if state.encoder_files is None:
        raise _bad("state.encoder_files", f"is missing for encoder {model.encoder!r}")
    embeddings, codes = arrays["neighbours.embeddings"], arrays["neighbours.labels"]
    texts = unpack_strings(arrays["neighbours.texts.text"], arrays["neighbours.texts.offsets"], "neighbours.texts")
    dim = ENCODERS[model.encoder].dim
    if embeddings.shape[1:] != (dim,) or len(embeddings) < 1:
        raise _bad("neighbours.embeddings", f"has shape {embeddings.shape}; encoder {model.encoder!r} needs (n, {dim})")
    if codes.shape != (len(embeddings),) or len(texts) != len(embeddings):
        raise _bad("neighbours.labels", f"and neighbours.texts need one entry per embedding ({len(embeddings)})")
    if set(np.unique(codes).tolist()) != set(range(len(classes))):
        raise _bad("neighbours.labels", f"must be class numbers 0 to {len(classes) - 1}, each used at least once")
    encoder = SentenceEncoder(model=model.encoder, max_length=model.encoder_max_length)
    encoder.restore(dict(state.encoder_files))
    labels = np.asarray(classes)[codes]
    neighbours = NearestExamples(n_neighbors=model.n_neighbors).fit(
        _finite(embeddings, "neighbours.embeddings"), labels, texts
    )
    return encoder, neighbours
