"""Cross-validate, fit and save a model bundle with its model card."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import math
import os
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from classifier.calibration import expected_calibration_error
from classifier.encoder import ENCODERS, SentenceEncoder
from classifier.errors import InvalidValueError, ModelLoadError
from classifier.model import ITWorkClassifier
from classifier.persistence import check_bundle_target, load_model, save_model
from classifier.progress import shown
from classifier.semantic import fill_embeddings
from training.checks import check_folds, check_user_weight
from training.data import (
    combine_with_default_corpus,
    data_sha256,
    default_corpus_path,
    load_default_corpus,
    load_labelled_data,
)
from training.environment import environment, environment_differences
from training.evaluate import classification_metrics

__all__ = [
    "TrainConfig",
    "TrainResult",
    "cached_embeddings",
    "cross_validate",
    "out_of_fold_probabilities",
    "train_model",
    "SMALL_DATA_ROWS",
]

#: Fewer labelled rows than this per label (without the corpus) draw a warning: metrics and thresholds are rough.
SMALL_DATA_ROWS = 100


class _Progress:
    """Stage lines on stderr while training (``itwork train: [12 s] calibration ...``); silent when off."""

    def __init__(self, show: bool | None | Callable[[str], None]) -> None:
        if show is None:  # like `itwork score`'s progress bar: only where a person watches
            show = shown(None)
        self.write = show if callable(show) else (self._print if show else None)
        self.start = time.monotonic()

    @staticmethod
    def _print(message: str) -> None:
        print(f"itwork train: {message}", file=sys.stderr, flush=True)

    def __call__(self, message: str) -> None:
        if self.write is not None:
            self.write(f"[{time.monotonic() - self.start:4.0f} s] {message}")


@dataclass
class TrainConfig:
    """Everything that decides the trained model besides the data.

    ``model`` holds :class:`ITWorkClassifier` parameters; ``folds`` and
    ``seed`` decide the cross-validation split.
    """

    model: dict = field(default_factory=dict)
    folds: int = 5
    seed: int = 0

    def estimator(self) -> ITWorkClassifier:
        """The model to fit: ``model`` parameters, its folds and seed those of the config unless ``model`` sets them."""
        return ITWorkClassifier(**{"calibration_folds": self.folds, "random_state": self.seed, **self.model})


@dataclass
class TrainResult:
    model: ITWorkClassifier
    path: Path | None
    metrics: dict
    card: dict
    user_metrics: dict | None = None


def out_of_fold_probabilities(
    data: pd.DataFrame, estimator: ITWorkClassifier, folds: int = 5, seed: int = 0
) -> tuple[np.ndarray, list[str]]:
    """Probabilities of each row of ``data`` (columns text, label[, weight, register]) from a model that did not see it.

    Returns the probabilities, shape ``(len(data), n_classes)``, and the class order.
    """
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    texts, labels = data["text"].tolist(), data["label"].to_numpy(object)
    params: dict[str, object] = {}
    if "weight" in data:
        params["sample_weight"] = data["weight"].to_numpy()
    if "register" in data:
        params["registers"] = data["register"].tolist()
    if estimator.encoder is not None:  # encode each text once, not once per fold
        encoder = SentenceEncoder(model=estimator.encoder, max_length=estimator.encoder_max_length).fit()
        params["embeddings"] = fill_embeddings(encoder, texts, cached_embeddings(texts, estimator))
    probabilities = cross_val_predict(
        estimator, texts, labels, cv=splitter, method="predict_proba", params=params or None
    )
    return probabilities, sorted(set(labels))


def cross_validate(data: pd.DataFrame, config: TrainConfig, estimator: ITWorkClassifier | None = None) -> dict:
    """Stratified k-fold metrics of ``config``'s model on ``data`` (columns text, label[, weight]).

    Besides accuracy and F1 the metrics hold the expected calibration error of
    the out-of-fold probabilities (``ece``). Pass ``estimator`` to
    cross-validate another estimator than ``config.estimator()``.
    """
    estimator = estimator if estimator is not None else config.estimator()
    probabilities, classes = out_of_fold_probabilities(data, estimator, config.folds, config.seed)
    return _metrics(data["label"].tolist(), probabilities, classes)


def _metrics(labels: list, probabilities: np.ndarray, classes: list) -> dict:
    predicted = [classes[index] for index in probabilities.argmax(axis=1)]
    metrics = classification_metrics(labels, predicted)
    metrics["ece"] = expected_calibration_error(labels, probabilities, classes)
    return metrics


def _semantic_card(model: ITWorkClassifier) -> dict | None:
    """The semantic part's settings and its encoder files' provenance, for the model card."""
    if model.encoder_ is None:
        return None
    spec = ENCODERS[model.encoder_.model]
    return {
        "encoder": spec.name,
        "max_length": model.encoder_.max_length,
        "n_neighbors": model.n_neighbors,
        "cascade_threshold": model.cascade_threshold,
        "semantic_weight": model.semantic_weight,
        "files": [dataclasses.asdict(file) for file in spec.files],
    }


def cached_embeddings(texts: list[str], model: ITWorkClassifier) -> np.ndarray | None:
    """The shipped model's stored embeddings of ``texts`` (NaN rows for texts it was not trained on).

    None when ``model`` has no encoder, or one unlike the shipped model's: then every text is encoded.
    Retraining on the corpus plus a few rows encodes only the new rows.
    """
    if model.encoder is None:
        return None
    try:
        shipped = load_model()
    except ModelLoadError:
        return None
    if shipped.encoder_ is None or (shipped.encoder_.model, shipped.encoder_.max_length) != (
        model.encoder,
        model.encoder_max_length,
    ):
        return None
    return shipped.neighbours_.embeddings_of(texts)


def train_model(
    data_path: str | os.PathLike | None,
    output: str | os.PathLike | None,
    config: TrainConfig | None = None,
    text_column: str = "text",
    label_column: str = "label",
    register_column: str | None = "register",
    with_default_corpus: bool = False,
    user_weight: float = 1.0,
    drop_duplicates: bool = False,
    overwrite: bool = False,
    name: str | None = None,
    progress: bool | None | Callable[[str], None] = False,
) -> TrainResult:
    """Validate data, cross-validate, fit on all of it and save a bundle at ``output``.

    ``data_path=None`` trains on the shipped corpus alone (how the default
    model is made). With ``with_default_corpus`` the user's rows are added to
    the shipped corpus; the user's label wins where the same text is in both,
    and ``user_weight`` weights the user's rows. The result's
    ``user_metrics`` then hold the cross-validated metrics of the user's rows
    alone. ``progress`` prints each stage on stderr (None: if it is a terminal),
    or passes it to a callable.

    Warns (:class:`UserWarning`) when the data are too few for reliable
    metrics or review thresholds, and when the environment differs from the
    one the shipped model was trained in (:mod:`training.environment`).
    """
    config = config or TrainConfig()
    check_folds(config.folds)
    if with_default_corpus:
        user_weight = check_user_weight(user_weight)
    elif user_weight != 1.0:
        raise InvalidValueError(
            f"user_weight={user_weight!r} weights your rows against the shipped corpus, so it needs "
            "with_default_corpus=True; add it, or leave the weight out"
        )
    if output is not None:
        check_bundle_target(output, overwrite)  # fail now, not after cross-validation
    report = _Progress(progress)
    for difference in environment_differences():
        warnings.warn(difference, stacklevel=2)
    sources: list[tuple[Path, int]] = []
    if data_path is None:
        report(f"reading the shipped corpus {_display_path(default_corpus_path())}")
        data = load_default_corpus()
        sources.append((default_corpus_path(), len(data)))
    else:
        report(f"reading {data_path}")
        data = load_labelled_data(
            data_path,
            text_column,
            label_column,
            duplicates="drop" if drop_duplicates else "error",
            register_column=register_column,
            require_all_labels=not with_default_corpus,
            min_per_class=1 if with_default_corpus else max(config.folds, 2),
        )
        sources.append((Path(data_path), len(data)))
        if with_default_corpus:
            corpus = load_default_corpus()
            report(f"adding the shipped corpus ({len(corpus)} rows; your label wins where a text is in both)")
            data = combine_with_default_corpus(data, corpus, user_weight)
            sources.append((default_corpus_path(), len(corpus)))
    report(f"{len(data)} rows: " + ", ".join(f"{label} {count}" for label, count in _label_counts(data).items()))
    model = config.estimator()
    texts = data["text"].tolist()
    embeddings = cached_embeddings(texts, model)
    if model.encoder is not None:
        to_encode = len(texts) if embeddings is None else int(np.isnan(embeddings).any(axis=1).sum())
        cached = f" (the other {len(texts) - to_encode} are cached)" if to_encode < len(texts) else ""
        report(f"encoding {to_encode} of {len(texts)} texts with {model.encoder}{cached}")
    report(
        f"fitting: {config.folds}-fold out-of-fold scores, calibration ({model.calibration}), "
        + ("the semantic part, " if model.encoder is not None else "")
        + "review thresholds, then the final fit on every row"
    )
    model.fit(
        texts,
        data["label"].tolist(),
        sample_weight=data["weight"] if "weight" in data else None,
        registers=data["register"].tolist() if "register" in data else None,
        embeddings=embeddings,
    )
    if model.oof_probabilities_ is not None:  # fit already scored every row with models that did not see it
        probabilities, classes = model.oof_probabilities_, list(model.classes_)
    else:
        report(f"too few examples per label for calibration: cross-validating ({config.folds} folds)")
        estimator = clone(model).set_params(review_precision=None, scope_quantile=None)
        probabilities, classes = out_of_fold_probabilities(data, estimator, config.folds, config.seed)
    metrics = _metrics(data["label"].tolist(), probabilities, classes)
    user_metrics = None
    if "source" in data:
        mine = (data["source"] == "user").to_numpy()
        user_metrics = _metrics(data.loc[mine, "label"].tolist(), probabilities[mine], classes)
    report(f"cross-validated: accuracy {metrics['accuracy']:.3f}, macro-F1 {metrics['macro_f1']:.3f}")
    for message in _small_data_warnings(data, metrics, user_metrics, model.review_tuning_, data_path is None):
        warnings.warn(message, stacklevel=2)
    card = {
        "name": name or (Path(output).name if output else None),
        "created": _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
        "seed": config.seed,
        "config": asdict(config),
        "training_data": {
            "sources": [
                {"path": _display_path(path), "sha256": data_sha256(path), "rows": int(rows)} for path, rows in sources
            ],
            "rows_used": int(len(data)),
            "label_counts": _label_counts(data),
            "user_weight": user_weight if with_default_corpus else None,
        },
        "cross_validation": {
            "folds": config.folds,
            "seed": config.seed,
            "metrics": metrics,
            "user_rows": user_metrics,
        },
        "calibration": {"method": model.calibration_method_, "out_of_fold": model.calibration_report_},
        "review": model.review_tuning_,
        "register_priors": model.register_priors_,
        "adapted_registers": list(model.adapted_registers_),
        "semantic": _semantic_card(model),
        "environment": environment(),
    }
    path = None
    if output is not None:
        report(f"saving the bundle to {output}")
        path = save_model(model, output, card=card, overwrite=overwrite)
    return TrainResult(model=model, path=path, metrics=metrics, card=card, user_metrics=user_metrics)


def _label_counts(data: pd.DataFrame) -> dict[str, int]:
    return {str(label): int(count) for label, count in data["label"].value_counts().sort_index().items()}


def _margin(metrics: dict) -> float:
    """Half-width of the 95% normal interval of the accuracy (its sampling error at this many rows)."""
    accuracy, n = metrics["accuracy"], max(metrics["n"], 1)
    return 1.96 * math.sqrt(max(accuracy * (1 - accuracy), 0.25 / n) / n)


def _small_data_warnings(
    data: pd.DataFrame, metrics: dict, user_metrics: dict | None, review: dict, corpus_alone: bool
) -> list[str]:
    """What the user should know when the data are too few for the metrics or thresholds to mean much."""
    messages = []
    if user_metrics is not None:
        if user_metrics["n"] < SMALL_DATA_ROWS:
            messages.append(
                f"only {user_metrics['n']} of your rows: their cross-validated accuracy "
                f"{user_metrics['accuracy']:.3f} is uncertain by about ±{_margin(user_metrics):.2f} (95%); "
                "label more rows to measure the model on your kind of text"
            )
    elif not corpus_alone:
        counts = _label_counts(data)
        few = {label: count for label, count in counts.items() if count < SMALL_DATA_ROWS}
        if few:
            messages.append(
                f"small training set: {len(data)} rows ("
                + ", ".join(f"{label} {count}" for label, count in few.items())
                + f", fewer than {SMALL_DATA_ROWS} per label): cross-validated accuracy {metrics['accuracy']:.3f} is "
                f"uncertain by about ±{_margin(metrics):.2f} (95%) and the review thresholds rest on few examples; "
                "train with with_default_corpus=True to add the shipped corpus to your rows"
            )
    for label, row in (review.get("per_class") or {}).items():
        if row.get("predicted") and row["threshold"] >= 1.0:
            messages.append(
                f"no confidence reached precision {review.get('precision_target')} for {label} in cross-validation, "
                f"so every {label} prediction of this model needs review; add examples of {label} or tune the "
                "thresholds on held-out data with itwork tune-threshold"
            )
    return messages


def _display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path) if path != default_corpus_path() else "training/data/corpus.csv"
