"""A fitted classifier from data: a checked JSON config plus named numeric arrays (a bundle's content).

:func:`model_from_data` is how ``load_model`` builds a model. It checks every
value and every invariant, then builds each object with this package's own
code (``ITWorkClassifier._build_pipeline`` and the ``restore`` methods), so
only numbers, strings and checked parameters come from a file. Any problem is
one :class:`~classifier.errors.ModelLoadError` naming the field.
:mod:`classifier.bundle_export` writes the same data; strings (vocabularies,
training texts) are one UTF-8 byte array plus character offsets
(:func:`pack_strings`).

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
from sklearn.pipeline import FeatureUnion

from classifier.bundle_schema import Config
from classifier.calibration import restore_calibrator
from classifier.encoder import ENCODERS, SentenceEncoder
from classifier.errors import ModelLoadError
from classifier.model import FITTED_STATE, ITWorkClassifier
from classifier.params import check_params
from classifier.registers import OTHER_REGISTERS, restore_logistic
from classifier.scope import ScopeDetector
from classifier.semantic import NearestExamples
from classifier.word_tfidf import WordTfidf

__all__ = ["model_from_data", "expected_arrays", "pack_strings", "unpack_strings", "put_strings", "word_blocks"]

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


def put_strings(arrays: dict[str, np.ndarray], name: str, strings: Sequence[str]) -> None:
    """Store ``strings`` packed as ``arrays[name + ".text"]`` and ``arrays[name + ".offsets"]``."""
    arrays[f"{name}.text"], arrays[f"{name}.offsets"] = pack_strings(list(strings))


def word_blocks(block: Any) -> tuple[WordTfidf, TfidfVectorizer | None]:
    """The word TF-IDF block and the character n-gram vectorizer (None) of a model's word features."""
    if isinstance(block, FeatureUnion):
        word, char = block.transformer_list[0][1], block.transformer_list[1][1].steps[-1][1]
        return word, char
    return block, None


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
    word, char = word_blocks(word_block)
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
