"""Checks of the training commands' arguments, run before any data is read or model fitted.

Messages name the Python parameter (``folds=1``); the CLI shows it as the
option (``--folds 1``).

>>> check_folds(5)
5
>>> check_folds(1)
Traceback (most recent call last):
...
classifier.errors.InvalidValueError: cross-validation needs folds=2 or more, got folds=1
>>> check_user_weight(2)
2.0
"""

from __future__ import annotations

import math
import numbers

from classifier.errors import InvalidValueError

__all__ = ["check_folds", "check_user_weight", "check_count", "MAX_USER_WEIGHT", "MIN_TUNING_ROWS"]

#: The largest ``user_weight``: past it the corpus no longer counts at all, and sample weights overflow float32.
MAX_USER_WEIGHT = 1000.0
#: Fewest labelled rows that review thresholds are tuned on (a precision of 0.9 needs 10 kept predictions to show).
MIN_TUNING_ROWS = 10


def check_folds(folds: object) -> int:
    """``folds`` as an int of at least 2, or :class:`InvalidValueError`."""
    if isinstance(folds, bool) or not isinstance(folds, numbers.Integral) or folds < 2:
        raise InvalidValueError(f"cross-validation needs folds=2 or more, got folds={folds!r}")
    return int(folds)


def check_user_weight(user_weight: object) -> float:
    """``user_weight`` as a finite float in (0, :data:`MAX_USER_WEIGHT`], or :class:`InvalidValueError`."""
    if isinstance(user_weight, bool) or not isinstance(user_weight, numbers.Real):
        raise InvalidValueError(
            f"user weight must be a number, got user_weight={user_weight!r}; use e.g. user_weight=2"
        )
    weight = float(user_weight)
    if not math.isfinite(weight) or not 0 < weight <= MAX_USER_WEIGHT:
        raise InvalidValueError(
            f"user weight must be above 0 and at most {MAX_USER_WEIGHT:g}, got user_weight={user_weight!r}; "
            "use e.g. user_weight=2 (1 counts your rows like the corpus rows)"
        )
    return weight


def check_count(value: object, name: str, minimum: int = 0) -> int:
    """``value`` as an int of at least ``minimum``, or :class:`InvalidValueError` naming ``name``.

    >>> check_count(-1, "top")
    Traceback (most recent call last):
    ...
    classifier.errors.InvalidValueError: top must be a whole number of at least 0, got top=-1
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise InvalidValueError(f"{name} must be a whole number of at least {minimum}, got {name}={value!r}")
    return int(value)
