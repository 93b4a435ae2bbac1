"""A model that worker processes (Dask workers, Spark executors) load once each.

The client checks the model before any task runs (:func:`prepare`): it loads
the bundle, which verifies its checksums, and gives the engine a small
:class:`BundleRef` (the bundle's location and its card's SHA-256) to send with
the tasks instead of the model. Each worker process loads the bundle from
that location on its first task and keeps it (:func:`worker_model`); later
tasks reuse it. The bundle must therefore sit at the same path on every
worker (a shared filesystem, or the same install for the shipped models),
and a worker whose copy differs from the client's refuses to score.

A model object that is not a bundle is handed over by the engine itself
(a Dask graph key or a Spark broadcast), also once per worker.
"""

from __future__ import annotations

import copy
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from classifier.checksums import file_sha256
from classifier.errors import MissingExtraError, ModelLoadError
from classifier.model import ITWorkClassifier

__all__ = [
    "BundleRef",
    "prepare",
    "prepare_engine",
    "worker_model",
    "one_encoder_thread",
    "resolve_priors",
    "require_extra",
]

_CARD = "card.json"


@dataclass(frozen=True)
class BundleRef:
    """Where workers find a bundle: a shipped model's name or an absolute directory, and its card's SHA-256."""

    location: str
    digest: str


def _bundle_dir(location: str) -> Path:
    from classifier.persistence import SHIPPED_MODELS, shipped_model_path

    return shipped_model_path(location) if location in SHIPPED_MODELS else Path(location)


def one_encoder_thread(model: ITWorkClassifier) -> ITWorkClassifier:
    """A shallow copy of ``model`` whose sentence encoder (if any) runs on one thread: one core per worker."""
    if getattr(model, "encoder_", None) is None:
        return model
    model = copy.copy(model)
    model.encoder_ = copy.copy(model.encoder_).set_params(n_threads=1)
    return model


def prepare(model: ITWorkClassifier | str | os.PathLike | None) -> tuple[ITWorkClassifier, BundleRef | None]:
    """Load and check ``model`` on the client; return it and the reference workers load (None for an object).

    None and ``"default"``/``"fast"`` are the shipped models; another str or
    path is a bundle directory. Raises :class:`ModelLoadError` for a bad bundle.
    """
    from classifier.persistence import SHIPPED_MODELS, load_model

    if isinstance(model, ITWorkClassifier):
        model._check_fitted()
        return model, None
    if not (model is None or isinstance(model, (str, os.PathLike))):
        raise TypeError(
            f"model must be an ITWorkClassifier, a bundle directory, 'default' or 'fast', got {type(model).__name__}"
        )
    local = load_model(model)
    location = "default" if model is None else str(model)
    if location not in SHIPPED_MODELS:
        location = str(Path(location).resolve())
    return local, BundleRef(location, file_sha256(_bundle_dir(location) / _CARD))


_MODELS: dict[BundleRef, ITWorkClassifier] = {}
_LOCK = threading.Lock()
#: How many bundles this process has loaded (tests check that each worker loads once).
loads = 0


def worker_model(ref: BundleRef) -> ITWorkClassifier:
    """The model ``ref`` names, loaded by this process on first use and kept (thread-safe)."""
    global loads
    with _LOCK:
        if ref not in _MODELS:
            from classifier.persistence import load_model

            bundle = _bundle_dir(ref.location)
            if not (bundle / _CARD).is_file() or file_sha256(bundle / _CARD) != ref.digest:
                raise ModelLoadError(
                    f"model bundle {bundle} on worker process {os.getpid()} is missing or differs from the one "
                    "the client checked; put the same bundle at the same path on every worker (a shared filesystem)"
                )
            _MODELS[ref] = one_encoder_thread(load_model(ref.location))
            loads += 1
        return _MODELS[ref]


def resolve_priors(model: ITWorkClassifier, priors, sample) -> dict[str, float] | None:
    """Label priors as a dict for the workers: given, a register name, or ``"auto"`` (estimated on ``sample()``)."""
    from classifier.scoring import with_priors

    if priors is None:
        return None
    return with_priors(model, priors, sample)[1]


def require_extra(module: str, extra: str) -> None:
    """Import ``module`` or raise :class:`MissingExtraError` naming the extra that installs it."""
    import importlib

    try:
        importlib.import_module(module)
    except ImportError as error:
        raise MissingExtraError(
            f"scoring on {extra.capitalize()} needs the {extra} extra, which is not installed ({error}); "
            f'pip install "it-work-classifier[{extra}]"'
        ) from error


def prepare_engine(
    columns: list[str],
    what: str,
    model: ITWorkClassifier | str | os.PathLike | None,
    sample,
    text_column: str,
    prefix: str,
    min_confidence: float | None,
    priors: str | dict[str, float] | None,
    explain: bool,
) -> tuple[ITWorkClassifier, BundleRef | None, dict]:
    """What an engine checks on the client before any task runs, and the ``score_frame`` options its tasks get.

    Checks the columns (``what`` names the data in messages), ``min_confidence`` and the model
    (:func:`prepare`), and resolves ``priors`` once (``sample()`` gives texts for ``"auto"``).
    Returns the loaded model, its bundle reference (None for a model object) and the options.
    """
    import pandas as pd

    from classifier.errors import InvalidValueError
    from classifier.scoring import check_input_columns
    from classifier.thresholds import is_probability

    check_input_columns(pd.DataFrame(columns=list(columns)), text_column, prefix, what, explain)
    if min_confidence is not None and not is_probability(min_confidence):
        raise InvalidValueError(f"min_confidence must be a number from 0 to 1, got {min_confidence!r}")
    local, ref = prepare(model)
    options = {
        "text_column": text_column,
        "prefix": prefix,
        "min_confidence": min_confidence,
        "priors": resolve_priors(local, priors, sample),
        "explain": explain,
    }
    return local, ref, options
