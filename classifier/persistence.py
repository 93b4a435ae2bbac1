"""Model bundles: save and load a fitted classifier as a directory.

A bundle is a directory holding

* ``model.skops`` — the classifier's fitted state (the attributes listed in
  :data:`~classifier.model.FITTED_STATE`) in skops' format, which rebuilds
  objects from an allow-list of types and never unpickles;
* ``config.json`` — the classifier's parameters, classes and format version;
* ``card.json`` — the model card as data, including the SHA-256 of the files
  above, checked on every load;
* ``MODEL_CARD.md`` — the same card for people.

A model with a sentence encoder names it in its fitted state; the encoder's
weight files come from the pinned package that ships them
(:mod:`classifier.encoder`) and are checked against their SHA-256 when the
bundle is loaded. They are data: an ONNX graph and a tokenizer JSON.

Loading never runs code from the bundle: a file that would need any type
outside skops' trusted defaults and the few classes
listed in ``TRUSTED_TYPES`` is refused with :class:`ModelLoadError`.
Bundles are written to a temporary directory beside the target and renamed
into place, so an interrupted save leaves any earlier bundle whole.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any

from classifier.checksums import file_sha256
from classifier.errors import ModelLoadError
from classifier.model import FITTED_STATE, ITWorkClassifier

__all__ = [
    "load_model",
    "save_model",
    "check_bundle_target",
    "default_model_path",
    "shipped_model_path",
    "SHIPPED_MODELS",
    "FORMAT_VERSION",
    "file_sha256",
]

FORMAT_VERSION = 3
# Types outside skops' trusted defaults that a bundle may hold: scikit-learn's
# calibration classes (a calibrator over a frozen estimator of given scores), and this
# package's own feature blocks and detectors. They hold arrays, numbers,
# strings and scikit-learn estimators and run no code of the file's choosing.
TRUSTED_TYPES = (
    "sklearn.frozen._frozen.FrozenEstimator",
    "classifier.calibration.GivenScores",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.calibration._TemperatureScaling",
    "classifier.word_tfidf.WordTfidf",
    "classifier.normalize.NormalizeTexts",
    "classifier.registers.RegisterAdaptation",
    "classifier.registers.RegisterDetector",
    "classifier.scope.ScopeDetector",
    "classifier.encoder.SentenceEncoder",
    "classifier.semantic.NearestExamples",
)
MODEL_FILE = "model.skops"
CONFIG_FILE = "config.json"
CARD_FILE = "card.json"
CARD_MARKDOWN = "MODEL_CARD.md"
_HASHED_FILES = (MODEL_FILE, CONFIG_FILE, CARD_MARKDOWN)


#: Models shipped with the package, by name: the semantic default and the n-gram model alone.
SHIPPED_MODELS = ("default", "fast")


def shipped_model_path(name: str = "default") -> Path:
    """Where a shipped model lives: inside the installed package, or in a checkout's ``models/``."""
    if name not in SHIPPED_MODELS:
        raise ModelLoadError(f"no shipped model named {name!r}; the shipped models are {', '.join(SHIPPED_MODELS)}")
    installed = Path(__file__).resolve().parent / f"_{name}_model"
    if (installed / CARD_FILE).is_file():
        return installed
    return Path(__file__).resolve().parent.parent / "models" / name


def default_model_path() -> Path:
    """Where the shipped default model lives (see :func:`shipped_model_path`)."""
    return shipped_model_path("default")


def _versions() -> dict[str, str]:
    import sklearn
    import spacy

    from classifier import __version__

    return {"it-work-classifier": __version__, "scikit-learn": sklearn.__version__, "spacy": spacy.__version__}


def check_bundle_target(path: str | os.PathLike, overwrite: bool = False) -> Path:
    """Check that a bundle may be written at ``path`` (before any long work); return it as a Path."""
    from classifier.outputs import check_output_target

    return check_output_target(path, overwrite, what="model directory", directory=True)


def save_model(
    model: ITWorkClassifier, path: str | os.PathLike, card: dict | None = None, overwrite: bool = False
) -> Path:
    """Write a fitted model as a bundle directory at ``path`` and return the path.

    ``card`` is extra model-card data (training data, metrics, ...). An existing
    bundle is replaced only with ``overwrite=True``, and only once the new one
    is complete.
    """
    import skops.io as sio

    from classifier.card import render_model_card

    model._check_fitted()
    target = check_bundle_target(path, overwrite)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)  # mkdtemp makes it private; a bundle is an ordinary directory
    try:
        sio.dump({name: getattr(model, name) for name in FITTED_STATE}, staging / MODEL_FILE)
        config = {
            "format_version": FORMAT_VERSION,
            "estimator": "ITWorkClassifier",
            "params": _json_params(model.get_params()),
            "classes": [str(label) for label in model.classes_],
            "versions": _versions(),
        }
        (staging / CONFIG_FILE).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
        full_card = {
            **(card or {}),
            "classes": config["classes"],
            "params": config["params"],
            "versions": config["versions"],
        }
        (staging / CARD_MARKDOWN).write_text(render_model_card(full_card), encoding="utf-8")
        full_card["files"] = {name: file_sha256(staging / name) for name in _HASHED_FILES}
        (staging / CARD_FILE).write_text(json.dumps(full_card, indent=2) + "\n", encoding="utf-8")
        _replace_directory(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _replace_directory(staging: Path, target: Path) -> None:
    if not target.exists():
        os.replace(staging, target)
        return
    retired = target.with_name(f".{target.name}.{os.getpid()}.old")
    os.replace(target, retired)
    try:
        os.replace(staging, target)
    except BaseException:
        os.replace(retired, target)
        raise
    shutil.rmtree(retired, ignore_errors=True)


def _json_params(params: dict) -> dict:
    return {key: list(value) if isinstance(value, tuple) else value for key, value in params.items()}


def _read_json(path: Path, what: str) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelLoadError(
            f"{what} {path} cannot be read ({error}); the bundle is damaged, train or copy it again"
        ) from error
    if not isinstance(data, dict):
        raise ModelLoadError(
            f"{what} {path} does not hold a JSON object; the bundle is damaged, train or copy it again"
        )
    return data


def _check_versions(saved: dict, path: Path) -> None:
    current = _versions()
    for package in ("it-work-classifier", "scikit-learn", "spacy"):
        then, now = str(saved.get(package, "?")), current[package]
        if then.split(".")[0] != now.split(".")[0]:
            raise ModelLoadError(
                f"model {path} was written with {package} {then} but {now} is installed; "
                f"install {package}=={then} or retrain the model with itwork train"
            )
        if then.split(".")[:2] != now.split(".")[:2]:
            warnings.warn(
                f"model {path} was written with {package} {then}, {now} is installed; "
                "predictions may differ slightly, retrain to be sure",
                stacklevel=3,
            )


def load_model(path: str | os.PathLike | None = None) -> ITWorkClassifier:
    """Load a model bundle: a directory written by :func:`save_model`, or a shipped model by name.

    ``None`` or ``"default"`` is the shipped default (n-gram and semantic
    parts), ``"fast"`` the shipped n-gram model alone; a directory of either
    name is loaded as ``"./fast"``. The bundle's files are checked against the
    SHA-256 sums in ``card.json``, an encoder's weight files against their
    pinned sums, and the model file is refused if it would need any type
    outside skops' trusted defaults: loading never executes code from the bundle.

    >>> import tempfile
    >>> from classifier import ITWorkClassifier
    >>> model = ITWorkClassifier(encoder=None, scope_quantile=None).fit(
    ...     ["reset my password", "unlock my account", "patch our claims app", "fix the billing batch"],
    ...     ["commodity", "commodity", "ktlo", "ktlo"])
    >>> path = save_model(model, tempfile.mkdtemp() + "/bundle")
    >>> load_model(path).predict(["password reset"])
    ['commodity']
    """
    import skops.io as sio
    from skops.io.exceptions import UntrustedTypesFoundException

    if path is None or (isinstance(path, str) and path in SHIPPED_MODELS):
        shipped, bundle = True, shipped_model_path(path or "default")
    else:
        shipped, bundle = False, Path(path)
    if not bundle.is_dir():
        hint = "reinstall it-work-classifier" if shipped else "give the directory written by itwork train"
        raise ModelLoadError(f"model directory {bundle} not found; {hint}")
    for name in (CARD_FILE, CONFIG_FILE, MODEL_FILE):
        if not (bundle / name).is_file():
            raise ModelLoadError(
                f"{bundle} is not a model bundle: {name} is missing; give the directory written by itwork train"
            )
    card = _read_json(bundle / CARD_FILE, "model card")
    expected = card.get("files")
    if not isinstance(expected, dict) or set(expected) != set(_HASHED_FILES):
        raise ModelLoadError(
            f"model card {bundle / CARD_FILE} lists no file checksums; the bundle is foreign or damaged"
        )
    for name, digest in expected.items():
        if not (bundle / name).is_file() or file_sha256(bundle / name) != digest:
            raise ModelLoadError(
                f"{bundle / name} does not match its SHA-256 in card.json: the bundle was changed or truncated; "
                "train or copy it again"
            )
    config = _read_json(bundle / CONFIG_FILE, "model config")
    if config.get("format_version") != FORMAT_VERSION or config.get("estimator") != "ITWorkClassifier":
        raise ModelLoadError(
            f"{bundle} holds a bundle of format {config.get('format_version')!r} for {config.get('estimator')!r}; "
            f"this version reads format {FORMAT_VERSION} for ITWorkClassifier. Retrain it with itwork train"
        )
    _check_versions(config.get("versions", {}), bundle)
    try:  # one pass: skops refuses any type outside its defaults and TRUSTED_TYPES while reading
        content = sio.load(bundle / MODEL_FILE, trusted=list(TRUSTED_TYPES))
    except UntrustedTypesFoundException as error:
        raise ModelLoadError(
            f"refusing to load {bundle / MODEL_FILE}: it asks for types that are not trusted ({error}); "
            "a model file could run code through them. Use a bundle written by itwork train"
        ) from error
    except Exception as error:
        raise ModelLoadError(f"{bundle / MODEL_FILE} cannot be loaded ({error}); train the model again") from error
    if not isinstance(content, dict) or set(content) != set(FITTED_STATE):
        found = sorted(content) if isinstance(content, dict) else type(content).__name__
        raise ModelLoadError(
            f"{bundle / MODEL_FILE} does not hold an it-work-classifier's fitted state (found {found}); "
            "use a bundle written by itwork train"
        )
    params: dict[str, Any] = {
        key: tuple(value) if isinstance(value, list) else value for key, value in config.get("params", {}).items()
    }
    try:
        model = ITWorkClassifier(**params)
    except TypeError as error:
        raise ModelLoadError(
            f"{bundle / CONFIG_FILE} has parameters this version does not know ({error}); retrain the model"
        ) from error
    for name in FITTED_STATE:
        setattr(model, name, content[name])
    if model.encoder_ is not None:
        model.encoder_.verify()  # the weight files' SHA-256, then the inference session
    model.card_ = card
    model.path_ = bundle
    return model
