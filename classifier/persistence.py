"""Model bundles: save and load a fitted classifier as a directory.

A bundle is a directory holding

* ``model.skops`` — the fitted scikit-learn pipeline in skops' format, which
  rebuilds objects from an allow-list of types and never unpickles;
* ``config.json`` — the classifier's parameters, classes and format version;
* ``card.json`` — the model card as data, including the SHA-256 of the files
  above, checked on every load;
* ``MODEL_CARD.md`` — the same card for people.

Loading never runs code from the bundle: a file that would need any type
outside skops' trusted defaults and the few scikit-learn calibration classes
listed in ``TRUSTED_EXTRA_TYPES`` is refused with :class:`ModelLoadError`.
Bundles are written to a temporary directory beside the target and renamed
into place, so an interrupted save leaves any earlier bundle whole.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import warnings
from pathlib import Path

from classifier.errors import InvalidValueError, ModelLoadError
from classifier.model import ITWorkClassifier
from classifier.priors import check_priors

__all__ = ["load_model", "save_model", "check_bundle_target", "default_model_path", "FORMAT_VERSION", "file_sha256"]

FORMAT_VERSION = 2
# scikit-learn's own calibration classes and the splitter calibration was
# fitted with, which skops does not list by default, and this package's own
# register-adaptation steps; they hold arrays, ints, floats and scikit-learn
# estimators and run no code of the file's choosing.
TRUSTED_EXTRA_TYPES = (
    "sklearn.model_selection._split.StratifiedKFold",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.calibration._TemperatureScaling",
    "classifier.registers.AdaptedFeatures",
    "classifier.registers.RegisterDetector",
)
MODEL_FILE = "model.skops"
CONFIG_FILE = "config.json"
CARD_FILE = "card.json"
CARD_MARKDOWN = "MODEL_CARD.md"
_HASHED_FILES = (MODEL_FILE, CONFIG_FILE, CARD_MARKDOWN)


def default_model_path() -> Path:
    """Where the shipped default model lives: inside the installed package, or in a checkout."""
    installed = Path(__file__).resolve().parent / "_default_model"
    if (installed / CARD_FILE).is_file():
        return installed
    return Path(__file__).resolve().parent.parent / "models" / "default"


def file_sha256(path: Path) -> str:
    """The SHA-256 hex digest of a file, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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
        scope = getattr(model, "scope_", None)
        sio.dump(
            {
                "pipeline": model.pipeline_,
                "scope": None if scope is None else {"params": scope.get_params(), "state": scope.get_state()},
            },
            staging / MODEL_FILE,
        )
        config = {
            "format_version": FORMAT_VERSION,
            "estimator": "ITWorkClassifier",
            "params": _json_params(model.get_params()),
            "classes": [str(label) for label in model.classes_],
            "calibration_method": model.calibration_method_,
            "calibration_report": model.calibration_report_,
            "review_thresholds": model.review_thresholds(),
            "review_tuning": model.review_tuning_,
            "training_priors": [float(value) for value in model._training_priors()],
            "label_priors": None
            if getattr(model, "label_priors_", None) is None
            else [float(value) for value in model.label_priors_],
            "register_priors": getattr(model, "register_priors_", None) or {},
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


def _register_priors(value: object, classes, bundle: Path) -> dict[str, dict[str, float]]:
    if not isinstance(value, dict):
        raise ModelLoadError(f"{bundle / CONFIG_FILE} holds invalid register priors {value!r}; train the model again")
    try:
        return {
            str(register): dict(zip(map(str, classes), check_priors(mix, classes).tolist()))
            for register, mix in value.items()
        }
    except (InvalidValueError, AttributeError, TypeError) as error:
        raise ModelLoadError(
            f"{bundle / CONFIG_FILE} holds invalid register priors ({error}); train the model again"
        ) from error


def _priors_array(value: object, n_classes: int, bundle: Path):
    import numpy as np

    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        array = np.zeros(0)
    if array.shape != (n_classes,) or not np.all(array > 0):
        raise ModelLoadError(f"{bundle / CONFIG_FILE} holds invalid label priors {value!r}; train the model again")
    return array


def _load_scope(state: dict, bundle: Path):
    from classifier.scope import ScopeDetector

    try:
        return ScopeDetector.from_state(state["params"], state["state"])
    except (KeyError, TypeError, ValueError) as error:
        raise ModelLoadError(
            f"{bundle / MODEL_FILE} holds a damaged scope detector ({error}); train the model again"
        ) from error


def load_model(path: str | os.PathLike | None = None) -> ITWorkClassifier:
    """Load a model bundle; with no path, the shipped default model.

    The bundle's files are checked against the SHA-256 sums in ``card.json``,
    and the model file is refused if it would need any type outside skops'
    trusted defaults: loading never executes code from the bundle.

    >>> model = load_model()
    >>> model.predict(["Re-image and ship a replacement laptop to a new hire"])
    ['commodity_outsourceable']
    """
    import skops.io as sio
    from sklearn.pipeline import Pipeline

    bundle = default_model_path() if path is None else Path(path)
    if not bundle.is_dir():
        hint = "reinstall it-work-classifier" if path is None else "give the directory written by itwork train"
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
    try:
        untrusted = sio.get_untrusted_types(file=bundle / MODEL_FILE)
    except Exception as error:
        raise ModelLoadError(
            f"{bundle / MODEL_FILE} is not a readable skops file ({error}); train the model again"
        ) from error
    untrusted = [name for name in untrusted if name not in TRUSTED_EXTRA_TYPES]
    if untrusted:
        raise ModelLoadError(
            f"refusing to load {bundle / MODEL_FILE}: it asks for types that are not trusted "
            f"({', '.join(untrusted[:5])}); a model file could run code through them. "
            "Use a bundle written by itwork train"
        )
    try:
        content = sio.load(bundle / MODEL_FILE, trusted=list(TRUSTED_EXTRA_TYPES))
    except Exception as error:
        raise ModelLoadError(f"{bundle / MODEL_FILE} cannot be loaded ({error}); train the model again") from error
    pipeline = content.get("pipeline") if isinstance(content, dict) else None
    if not isinstance(pipeline, Pipeline) or list(pipeline.named_steps) != ["features", "classifier"]:
        raise ModelLoadError(
            f"{bundle / MODEL_FILE} does not hold an it-work-classifier pipeline; use a bundle written by itwork train"
        )
    params = {
        key: tuple(value) if isinstance(value, list) else value for key, value in config.get("params", {}).items()
    }
    try:
        model = ITWorkClassifier(**params)
    except TypeError as error:
        raise ModelLoadError(
            f"{bundle / CONFIG_FILE} has parameters this version does not know ({error}); retrain the model"
        ) from error
    model.pipeline_ = pipeline
    model.adapted_registers_ = tuple(getattr(pipeline.named_steps["features"], "adapted_", ()))
    model.classes_ = pipeline.classes_
    model.calibration_method_ = config.get("calibration_method", "none")
    model.calibration_report_ = config.get("calibration_report", {})
    model.review_thresholds_ = {str(k): float(v) for k, v in (config.get("review_thresholds") or {}).items()}
    model.review_tuning_ = config.get("review_tuning", {})
    for name in ("training_priors", "label_priors"):
        value = config.get(name)
        setattr(model, f"{name}_", None if value is None else _priors_array(value, len(model.classes_), bundle))
    model.register_priors_ = _register_priors(config.get("register_priors") or {}, model.classes_, bundle)
    if content.get("scope") is not None:
        model.scope_ = _load_scope(content["scope"], bundle)
    model._feature_names = None
    model.card_ = card
    model.path_ = bundle
    return model
