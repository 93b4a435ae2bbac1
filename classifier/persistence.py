"""Model bundles: save and load a fitted classifier as a directory of data files.

A bundle (format 4) is a directory holding

* ``arrays.safetensors`` — the fitted state's numbers (vocabularies as UTF-8
  bytes and offsets, IDF values, coefficients, embeddings...) in the
  `safetensors <https://huggingface.co/docs/safetensors>`_ format, which holds
  typed numeric arrays and nothing else: no objects, no code;
* ``config.json`` — the parameters, classes, library versions and the small
  part of the fitted state (calibration maps, thresholds, priors...), checked
  against a strict schema (:mod:`classifier.bundle_schema`);
* ``card.json`` and ``MODEL_CARD.md`` — the model card, as data and for people;
* ``manifest.json`` — the format version and each other file's size and SHA-256.

Loading reads no object from the bundle: :mod:`classifier.bundle` checks every
value and invariant and builds every object with this package's own code (see
SECURITY.md). Each file's size is capped before it is read. A model with a
sentence encoder names it; the encoder's weight files come from the pinned
package that ships them and are checked against their SHA-256 on load.

Bundles are written to a temporary directory beside the target and renamed
into place, so an interrupted save leaves any earlier bundle whole; a save
killed between its two renames leaves the earlier bundle beside the target,
and the next :func:`save_model` or :func:`load_model` of that path puts it back.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ValidationError

from classifier.bundle import expected_arrays, model_from_data
from classifier.bundle_export import model_to_data
from classifier.bundle_schema import BUNDLE_FILES, FORMAT_VERSION, Config, Manifest
from classifier.checksums import file_sha256
from classifier.errors import ModelLoadError
from classifier.model import ITWorkClassifier
from classifier.outputs import new_directory_mode, new_file_mode

__all__ = [
    "load_model",
    "save_model",
    "check_bundle_target",
    "default_model_path",
    "shipped_model_path",
    "SHIPPED_MODELS",
    "FORMAT_VERSION",
    "MAX_FILE_BYTES",
    "file_sha256",
]

MANIFEST_FILE = "manifest.json"
CONFIG_FILE = "config.json"
ARRAYS_FILE = "arrays.safetensors"
CARD_FILE = "card.json"
CARD_MARKDOWN = "MODEL_CARD.md"
#: The most bytes each file of a bundle may have; checked before the file is read or hashed.
MAX_FILE_BYTES = {
    MANIFEST_FILE: 64 << 10,
    CONFIG_FILE: 8 << 20,
    CARD_FILE: 4 << 20,
    CARD_MARKDOWN: 4 << 20,
    ARRAYS_FILE: 4 << 30,
}
MAX_ARRAYS_HEADER_BYTES = 1 << 20  # the JSON header of arrays.safetensors (names, dtypes, shapes, offsets)
MAX_ARRAY_BYTES = 2 << 30  # any one array
_SAFETENSORS_DTYPES = {"U8": "uint8", "I64": "int64", "F32": "float32", "F64": "float64"}


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

    _recover(Path(path))
    return check_output_target(path, overwrite, what="model directory", directory=True)


def _json_bytes(data: Any) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")


def save_model(
    model: ITWorkClassifier, path: str | os.PathLike, card: dict | None = None, overwrite: bool = False
) -> Path:
    """Write a fitted model as a bundle directory at ``path`` and return the path.

    ``card`` is extra model-card data (training data, metrics, ...). An existing
    bundle is replaced only with ``overwrite=True``, and only once the new one
    is complete. The bundle holds data only (see the module docstring).
    """
    from safetensors.numpy import save_file

    from classifier.card import render_model_card

    model._check_fitted()
    target = check_bundle_target(path, overwrite)
    config, arrays = model_to_data(model, _versions())
    full_card = {
        **{key: value for key, value in (card or {}).items() if key != "files"},
        "classes": [str(label) for label in config["classes"]],
        "params": config["params"],
        "versions": config["versions"],
    }
    contents = {
        CONFIG_FILE: _json_bytes(config),
        CARD_FILE: _json_bytes(full_card),
        CARD_MARKDOWN: render_model_card(full_card).encode("utf-8"),
    }
    for name, data in contents.items():
        if len(data) > MAX_FILE_BYTES[name]:
            raise ValueError(
                f"cannot save this model: its {name} would be {len(data):,} bytes, more than the "
                f"{MAX_FILE_BYTES[name]:,} a bundle may hold; give a smaller card"
            )
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
    staging.chmod(new_directory_mode())  # mkdtemp makes it private; a bundle is an ordinary directory
    try:
        save_file({name: np.ascontiguousarray(array) for name, array in arrays.items()}, staging / ARRAYS_FILE)
        for name, data in contents.items():
            (staging / name).write_bytes(data)
        files = {
            name: {"size": (staging / name).stat().st_size, "sha256": file_sha256(staging / name)}
            for name in BUNDLE_FILES
        }
        manifest = {"format_version": FORMAT_VERSION, "files": files}
        (staging / MANIFEST_FILE).write_bytes(_json_bytes(manifest))
        for file in staging.iterdir():
            file.chmod(new_file_mode())  # safetensors writes its file private; a bundle's files are ordinary files
        _replace_directory(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _retired_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}.old")


def _replace_directory(staging: Path, target: Path) -> None:
    if not target.exists():
        os.replace(staging, target)
        return
    retired = _retired_path(target)
    os.replace(target, retired)
    try:
        os.replace(staging, target)  # a crash right before this leaves only `retired`: _recover puts it back
    except BaseException:
        os.replace(retired, target)
        raise
    shutil.rmtree(retired, ignore_errors=True)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists but is not ours
        return True
    return True


def _recover(target: Path) -> None:
    """Put back the bundle a save killed between its two renames left at ``.NAME.PID.old`` (nothing at NAME).

    A bundle set aside by a process that is still running (a save in progress) is left alone.
    """
    if target.exists() or target.is_symlink() or not target.parent.is_dir():
        return
    prefix, suffix = f".{target.name}.", ".old"
    candidates = []
    for retired in target.parent.glob(f"{prefix}*{suffix}"):
        pid = retired.name[len(prefix) : -len(suffix)]
        if pid.isdigit() and retired.is_dir() and not retired.is_symlink():
            if int(pid) == os.getpid() or not _process_alive(int(pid)):
                candidates.append(retired)
    if not candidates:
        return
    newest = max(candidates, key=lambda retired: retired.stat().st_mtime)
    try:
        os.replace(newest, target)
    except OSError:
        return
    warnings.warn(
        f"model bundle {target} was missing after an interrupted save; the earlier bundle was put back",
        stacklevel=3,
    )


def _refuse(bundle: Path, problem: str, fix: str = "retrain it with itwork train, or copy it again") -> ModelLoadError:
    return ModelLoadError(f"model bundle {bundle}: {problem}; {fix}")


def _read_capped(path: Path, bundle: Path) -> bytes:
    """A bundle file's bytes, refused before reading if it is not a regular file or exceeds its cap."""
    try:
        info = path.lstat()
    except OSError:
        raise _refuse(bundle, f"{path.name} is missing") from None
    if not path.is_file() or path.is_symlink():
        raise _refuse(bundle, f"{path.name} is not a regular file")
    cap = MAX_FILE_BYTES[path.name]
    if info.st_size > cap:
        raise _refuse(bundle, f"{path.name} has {info.st_size:,} bytes, more than the {cap:,} a bundle may hold")
    with open(path, "rb") as handle:
        return handle.read(cap + 1)[:cap]


def _validated(model: type[BaseModel], data: bytes, path: Path, bundle: Path) -> Any:
    """``data`` (JSON) checked against ``model``; one ModelLoadError naming the first field that is wrong."""
    try:
        return model.model_validate_json(data, strict=True)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        field = ".".join(str(part) for part in first["loc"])
        if first["type"] == "json_invalid" or not field:
            problem = f"{path.name} is not valid JSON for a bundle ({first['msg']})"
        else:
            received = repr(first.get("input"))
            received = received if len(received) <= 80 else received[:77] + "..."
            problem = f"{path.name} field {field}: {first['msg']}, got {received}"
        raise _refuse(bundle, problem) from None


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


def _read_arrays(path: Path, bundle: Path, expected: dict[str, tuple[tuple[str, ...], int]]) -> dict[str, np.ndarray]:
    """The arrays of ``arrays.safetensors``; names, dtypes, dimensions and sizes checked before any is read."""
    from safetensors import SafetensorError, safe_open

    with open(path, "rb") as handle:
        head = handle.read(8)
    header_bytes = int.from_bytes(head, "little") if len(head) == 8 else -1
    if not 0 < header_bytes <= MAX_ARRAYS_HEADER_BYTES:
        raise _refuse(
            bundle, f"{path.name} is not a safetensors file with a header of at most {MAX_ARRAYS_HEADER_BYTES:,} bytes"
        )
    try:
        with safe_open(str(path), framework="numpy") as arrays:
            names = set(arrays.keys())
            missing, unexpected = sorted(set(expected) - names), sorted(names - set(expected))
            if missing or unexpected:
                raise _refuse(bundle, f"{path.name} lacks arrays {missing} and has unexpected arrays {unexpected}")
            for name in sorted(names):
                piece = arrays.get_slice(name)
                dtype, shape = _SAFETENSORS_DTYPES.get(piece.get_dtype(), piece.get_dtype()), piece.get_shape()
                dtypes, ndim = expected[name]
                if dtype not in dtypes or len(shape) != ndim:
                    raise _refuse(
                        bundle,
                        f"array {name} is {dtype} of shape {tuple(shape)}; it must be {' or '.join(dtypes)} "
                        f"with {ndim} dimension(s)",
                    )
                size = int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
                if size > MAX_ARRAY_BYTES:
                    raise _refuse(bundle, f"array {name} has {size:,} bytes, more than {MAX_ARRAY_BYTES:,}")
            return {name: arrays.get_tensor(name) for name in sorted(names)}
    except SafetensorError as error:
        raise _refuse(bundle, f"{path.name} is not a valid safetensors file ({error})") from None


def load_model(path: str | os.PathLike | None = None) -> ITWorkClassifier:
    """Load a model bundle: a directory written by :func:`save_model`, or a shipped model by name.

    ``None`` or ``"default"`` is the shipped default (n-gram and semantic
    parts), ``"fast"`` the shipped n-gram model alone; a directory of either
    name is loaded as ``"./fast"``. Each file's size is capped and its SHA-256
    checked against ``manifest.json``, the config against its schema, every
    array and invariant by :func:`classifier.bundle.model_from_data`, and an
    encoder's weight files against their pinned sums. Every object is built
    by this package's code: loading never executes anything from the bundle.

    >>> import tempfile
    >>> from classifier import ITWorkClassifier
    >>> model = ITWorkClassifier(encoder=None, scope_quantile=None).fit(
    ...     ["reset my password", "unlock my account", "patch our claims app", "fix the billing batch"],
    ...     ["commodity", "commodity", "ktlo", "ktlo"])
    >>> path = save_model(model, tempfile.mkdtemp() + "/bundle")
    >>> load_model(path).predict(["password reset"])
    ['commodity']
    """
    if path is None or (isinstance(path, str) and path in SHIPPED_MODELS):
        shipped, bundle = True, shipped_model_path(path or "default")
    else:
        shipped, bundle = False, Path(path)
        _recover(bundle)
    if not bundle.is_dir():
        hint = "reinstall it-work-classifier" if shipped else "give the directory written by itwork train"
        raise ModelLoadError(f"model directory {bundle} not found; {hint}")
    if not (bundle / MANIFEST_FILE).is_file():
        if (bundle / "model.skops").exists():
            raise _refuse(
                bundle,
                "it is a bundle of format 3 (model.skops), which this version no longer reads: its model file "
                "holds objects, not only data",
                f"retrain it from its labelled data: `itwork train DATA -o {bundle} --overwrite` "
                "(`itwork train default -o DIR` for the shipped corpus)",
            )
        raise ModelLoadError(
            f"{bundle} is not a model bundle: {MANIFEST_FILE} is missing; give the directory written by itwork train"
        )
    manifest = _validated(Manifest, _read_capped(bundle / MANIFEST_FILE, bundle), bundle / MANIFEST_FILE, bundle)
    if manifest.format_version != FORMAT_VERSION:
        raise _refuse(
            bundle,
            f"it is a bundle of format {manifest.format_version}; this version reads format {FORMAT_VERSION}",
            "retrain it with itwork train",
        )
    missing = [name for name in BUNDLE_FILES if name not in manifest.files]
    if missing:
        raise _refuse(bundle, f"{MANIFEST_FILE} lists no checksum for {', '.join(missing)}")
    contents: dict[str, bytes] = {}
    for name in BUNDLE_FILES:
        file, entry = bundle / name, manifest.files[name]
        if name == ARRAYS_FILE:  # checked here, read (in parts) below
            if not file.is_file() or file.is_symlink():
                raise _refuse(bundle, f"{name} is missing or not a regular file")
            size = file.stat().st_size
            if size > MAX_FILE_BYTES[name]:
                raise _refuse(bundle, f"{name} has {size:,} bytes, more than the {MAX_FILE_BYTES[name]:,} allowed")
            digest = file_sha256(file) if size == entry.size else None
        else:
            contents[name] = _read_capped(file, bundle)
            size, digest = len(contents[name]), hashlib.sha256(contents[name]).hexdigest()
        if size != entry.size or digest != entry.sha256:
            raise _refuse(
                bundle,
                f"{name} does not match its size and SHA-256 in {MANIFEST_FILE}: the bundle was changed or truncated",
            )
    config = _validated(Config, contents[CONFIG_FILE], bundle / CONFIG_FILE, bundle)
    _check_versions(config.versions.model_dump(by_alias=True), bundle)
    arrays = _read_arrays(bundle / ARRAYS_FILE, bundle, expected_arrays(config))
    try:
        model = model_from_data(config, arrays)
    except ModelLoadError as error:
        raise _refuse(bundle, str(error)) from None
    try:
        card = json.loads(contents[CARD_FILE])
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _refuse(bundle, f"{CARD_FILE} is not valid JSON ({error})") from None
    if not isinstance(card, dict):
        raise _refuse(bundle, f"{CARD_FILE} does not hold a JSON object")
    model.card_ = card
    model.path_ = bundle
    return model
