"""Parameter validation in the style of scikit-learn's ``_parameter_constraints``.

An estimator lists, per ``__init__`` parameter, the values it accepts; a
constraint is ``None`` (the value may be None), a type (``bool``), an
:class:`Interval`, a :class:`OneOf`, or one of the named shapes
``"int pair"`` and ``"tuple of str"``. :func:`check_params` runs at the start
of ``fit`` and raises :class:`~classifier.errors.ParameterError` naming the
parameter, the value received and what is accepted.

>>> from sklearn.base import BaseEstimator
>>> class Toy(BaseEstimator):
...     _parameter_constraints = {"C": [Interval(float, 0, None, open_left=True)], "kind": [OneOf("a", "b")]}
...     def __init__(self, *, C=1.0, kind="a"):
...         self.C, self.kind = C, kind
>>> check_params(Toy(C=2))
>>> check_params(Toy(C=0))
Traceback (most recent call last):
...
classifier.errors.ParameterError: Toy parameter C must be a number in (0, inf); got 0
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

from classifier.errors import ParameterError

__all__ = ["Interval", "OneOf", "check_params"]


@dataclass(frozen=True)
class Interval:
    """Numbers of ``kind`` (int or float) between ``low`` and ``high`` (None: unbounded), ends closed by default."""

    kind: type
    low: float | None
    high: float | None
    open_left: bool = False
    open_right: bool = False

    def accepts(self, value: object) -> bool:
        if isinstance(value, bool) or not isinstance(value, numbers.Integral if self.kind is int else numbers.Real):
            return False
        number = float(value)  # every numbers.Real converts; the ABCs themselves declare no comparisons
        if self.low is not None and (number <= self.low if self.open_left else number < self.low):
            return False
        return not (self.high is not None and (number >= self.high if self.open_right else number > self.high))

    def __str__(self) -> str:
        left = "(" if self.open_left or self.low is None else "["
        right = ")" if self.open_right or self.high is None else "]"
        low = "-inf" if self.low is None else self.low
        high = "inf" if self.high is None else self.high
        what = "an integer" if self.kind is int else "a number"
        return f"{what} in {left}{low}, {high}{right}"


class OneOf:
    """One of the given values."""

    def __init__(self, *values: object) -> None:
        self.values = values

    def accepts(self, value: object) -> bool:
        candidate = tuple(value) if isinstance(value, list) else value
        return any(candidate == option and type(candidate) is type(option) for option in self.values)

    def __str__(self) -> str:
        return "one of " + ", ".join(repr(value) for value in self.values)


def _accepts(constraint: Any, value: object) -> bool:
    if constraint is None:
        return value is None
    if constraint == "int pair":
        return (
            isinstance(value, (tuple, list))
            and len(value) == 2
            and all(isinstance(n, numbers.Integral) and not isinstance(n, bool) and int(n) >= 1 for n in value)
            and value[0] <= value[1]
        )
    if constraint == "tuple of str":
        return isinstance(value, (tuple, list)) and all(isinstance(item, str) for item in value)
    if isinstance(constraint, type):
        return isinstance(value, constraint)
    return constraint.accepts(value)


def _describe(constraint: Any) -> str:
    if constraint is None:
        return "None"
    if constraint == "int pair":
        return "a pair of integers (low, high) with 1 <= low <= high"
    if constraint == "tuple of str":
        return "a tuple of str such as ('ticket',)"
    if isinstance(constraint, type):
        return f"a {constraint.__name__}"
    return str(constraint)


def check_params(estimator: Any) -> None:
    """Check every parameter of ``estimator`` against its ``_parameter_constraints``."""
    constraints = getattr(type(estimator), "_parameter_constraints", {})
    for name, value in estimator.get_params(deep=False).items():
        options = constraints.get(name)
        if options is None or any(_accepts(option, value) for option in options):
            continue
        accepted = " or ".join(_describe(option) for option in options)
        raise ParameterError(f"{type(estimator).__name__} parameter {name} must be {accepted}; got {value!r}")
