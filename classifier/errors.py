"""Exceptions raised by it-work-classifier.

Every exception subclasses a built-in, so callers that already catch
``ValueError`` or ``TypeError`` keep working. Each message says what was wrong,
the value received, where, and how to fix it.
"""

from __future__ import annotations

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
    "InvalidValueError",
    "ParameterError",
    "MissingExtraError",
]

from sklearn.exceptions import NotFittedError as _SklearnNotFittedError


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


class NotFittedError(ITWorkError, _SklearnNotFittedError):
    """predict/classify called on a model that has not been fitted."""


class OutputExistsError(ITWorkError, FileExistsError):
    """An output path exists and overwriting was not asked for."""


class InvalidValueError(ITWorkError, ValueError):
    """A number in the input (hours, weights) that is missing, not a number, negative or infinite."""


class ParameterError(ITWorkError, ValueError):
    """An estimator parameter outside the values it accepts (checked when fitting)."""


class MissingExtraError(ITWorkError, ModuleNotFoundError):
    """An optional feature whose extra (``[dask]``, ``[spark]``) is not installed."""
