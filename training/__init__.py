"""Training pipeline for it-work-classifier: load labelled data, cross-validate, fit, save a bundle.

>>> from training import default_corpus_path
>>> default_corpus_path().name
'corpus.csv'
"""

from training.data import (
    combine_with_default_corpus,
    default_corpus_path,
    load_default_corpus,
    load_labelled_data,
)
from training.evaluate import classification_metrics, evaluate_file, evaluate_model
from training.pipeline import TrainConfig, TrainResult, cross_validate, train_model

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
