"""Training pipeline for it-work-classifier: load labelled data, cross-validate, fit, save a bundle.

>>> from training import default_corpus_path
>>> default_corpus_path().name
'corpus.csv'
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from training.data import (
        combine_with_default_corpus,
        default_corpus_path,
        load_default_corpus,
        load_labelled_data,
    )
    from training.evaluate import classification_metrics, evaluate_file, evaluate_model
    from training.pipeline import TrainConfig, TrainResult, cross_validate, train_model

#: Where each public name lives: imported on first use (PEP 562), so that registering the ``itwork`` commands
#: (``training.cli``) does not load scikit-learn.
_EXPORTS: dict[str, str] = {
    "combine_with_default_corpus": "training.data",
    "default_corpus_path": "training.data",
    "load_default_corpus": "training.data",
    "load_labelled_data": "training.data",
    "classification_metrics": "training.evaluate",
    "evaluate_file": "training.evaluate",
    "evaluate_model": "training.evaluate",
    "TrainConfig": "training.pipeline",
    "TrainResult": "training.pipeline",
    "cross_validate": "training.pipeline",
    "train_model": "training.pipeline",
}

__all__ = [
    "TrainConfig",
    "TrainResult",
    "train_model",
    "cross_validate",
    "load_labelled_data",
    "load_default_corpus",
    "default_corpus_path",
    "combine_with_default_corpus",
    "classification_metrics",
    "evaluate_model",
    "evaluate_file",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'training' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
