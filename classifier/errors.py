"""Exceptions raised by it-work-classifier.

Every exception subclasses a built-in, so callers that already catch
``ValueError`` or ``TypeError`` keep working. Each message says what was wrong,
the value received, where, and how to fix it.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

__all__ = [
    "ITWorkError",
    "LabelError",
    "InputTextError",
    "ColumnNotFoundError",
    "TableReadError",
    "TrainingDataError",
    "ModelLoadError",
    "NotFittedError",
    "OutputExistsError",
    "OutputWriteError",
    "InvalidValueError",
    "ParameterError",
    "WorkerDiedError",
    "TextTruncatedWarning",
    "MissingExtraError",
]


class ITWorkError(Exception):
    """Base class of the library's own errors; the CLI turns these into exit code 2."""


class LabelError(ITWorkError, ValueError):
    """A label spelling that maps to none of the three label ids."""


class InputTextError(ITWorkError, ValueError):
    """Texts given to predict/fit that are not usable (None, NaN, non-strings)."""


class ColumnNotFoundError(ITWorkError, ValueError):
    """A named column is missing from an input table."""


class TableReadError(ITWorkError, ValueError):
    """An input file that cannot be read as a table (format, encoding, garbage)."""


class TrainingDataError(ITWorkError, ValueError):
    """Labelled data that cannot be trained on (bad labels, duplicates, too few rows)."""


class ModelLoadError(ITWorkError, ValueError):
    """A model bundle that is missing, tampered with, foreign or unsafe to load."""


if TYPE_CHECKING:
    from sklearn.exceptions import NotFittedError as _SklearnNotFittedError

    class NotFittedError(ITWorkError, _SklearnNotFittedError):
        """predict/classify called on a model that has not been fitted."""

else:
    _NOT_FITTED_LOCK = threading.Lock()

    def __getattr__(name: str):
        # NotFittedError subclasses scikit-learn's, whose import takes seconds: it is made on first use, so that
        # `itwork --help` and the other light imports of this module do not load scikit-learn.
        if name != "NotFittedError":
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        with _NOT_FITTED_LOCK:
            if "NotFittedError" not in globals():
                from sklearn.exceptions import NotFittedError as _SklearnNotFittedError

                class NotFittedError(ITWorkError, _SklearnNotFittedError):
                    """predict/classify called on a model that has not been fitted."""

                NotFittedError.__module__ = __name__
                NotFittedError.__qualname__ = "NotFittedError"
                globals()["NotFittedError"] = NotFittedError
        return globals()["NotFittedError"]


class OutputExistsError(ITWorkError, FileExistsError):
    """An output path exists and overwriting was not asked for."""


class OutputWriteError(ITWorkError, OSError):
    """An output that cannot be written: disk full, read-only file system, a directory in the way, too many rows."""


class InvalidValueError(ITWorkError, ValueError):
    """A number in the input (hours, weights) that is missing, not a number, negative or infinite."""


class ParameterError(ITWorkError, ValueError):
    """An estimator parameter outside the values it accepts (checked when fitting)."""


class WorkerDiedError(ITWorkError, RuntimeError):
    """A worker process ended without a result: killed by the system (most often for lack of memory) or crashed."""


class TextTruncatedWarning(UserWarning):
    """Texts longer than a model's ``max_text_chars`` were cut to that length before they were read."""


class MissingExtraError(ITWorkError, ModuleNotFoundError):
    """An optional feature whose extra (``[dask]``, ``[spark]``) is not installed."""
