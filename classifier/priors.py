"""Label shift: scoring data whose label proportions differ from the training corpus's.

A service-desk export is mostly commodity work; a product team's backlog mostly
business-enabling. A classifier's probabilities carry the label proportions it
was trained with (uniform here, because training balances the labels), so on
such data they can be adjusted to the data's own proportions ("priors"):

    p'(y | x)  ∝  p(y | x) · prior'(y) / prior_train(y)

When the data is all of one kind of text (service-desk tickets, task
statements), :func:`register_label_mix` gives the proportions the training
data has for that kind: a model trained with a ``register`` per example keeps
them, and ``set_label_priors("ticket")`` applies them.

When the proportions are not known, :func:`estimate_priors` finds them from
the unlabelled texts themselves with the EM procedure of Saerens, Latinne and
Decaestecker, "Adjusting the outputs of a classifier to new a priori
probabilities: a simple procedure", Neural Computation 14(1), 2002.

>>> import numpy as np
>>> probabilities = np.array([[0.6, 0.4], [0.7, 0.3], [0.2, 0.8], [0.9, 0.1]])
>>> priors = estimate_priors(probabilities, np.array([0.5, 0.5]))
>>> bool(priors[0] > 0.6)
True
>>> adjust_to_priors(np.array([[0.5, 0.5]]), np.array([0.8, 0.2]), np.array([0.5, 0.5])).round(2).tolist()
[[0.8, 0.2]]
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from classifier.errors import InvalidValueError
from classifier.registers import MIN_REGISTER_EXAMPLES

__all__ = [
    "adjust_to_priors",
    "estimate_priors",
    "check_priors",
    "register_label_mix",
    "LabelPriorsMixin",
    "MIN_REGISTER_EXAMPLES",
    "MIN_ESTIMATED_PRIOR",
    "MIN_GIVEN_PRIOR",
]

MIN_ESTIMATED_PRIOR = 0.001  # the least share estimate_label_priors gives a label
#: A given label share below this (0.01%) draws a warning: the label could then almost never be predicted.
MIN_GIVEN_PRIOR = 1e-4

# The type of ``self`` in methods returning it (``typing.Self`` is Python 3.11+).
_Estimator = TypeVar("_Estimator", bound="LabelPriorsMixin")


def adjust_to_priors(probabilities: np.ndarray, priors: np.ndarray, training_priors: np.ndarray) -> np.ndarray:
    """Reweight each row of ``probabilities`` from ``training_priors`` to ``priors`` and renormalize."""
    weighted = np.asarray(probabilities, dtype=np.float64) * (np.asarray(priors) / np.asarray(training_priors))
    totals = weighted.sum(axis=1, keepdims=True)
    return np.divide(weighted, totals, out=np.full_like(weighted, 1.0 / weighted.shape[1]), where=totals > 0)


def estimate_priors(
    probabilities: np.ndarray, training_priors: np.ndarray, max_iter: int = 1000, tol: float = 1e-6
) -> np.ndarray:
    """The label proportions of unlabelled data, by EM on the model's probabilities of its texts."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if len(probabilities) == 0:
        raise InvalidValueError("cannot estimate label priors from no texts; give at least one non-blank text")
    priors = np.asarray(training_priors, dtype=np.float64).copy()
    for _ in range(max_iter):
        updated = adjust_to_priors(probabilities, priors, training_priors).mean(axis=0)
        if np.abs(updated - priors).max() < tol:
            return updated
        priors = updated
    return priors


def check_priors(priors: Mapping[str, float], classes: Iterable[object]) -> np.ndarray:
    """Validate label priors given per label; return them in ``classes`` order, summing to 1.

    Shares need not sum to 1; each must be a positive, finite number. A share
    below ``MIN_GIVEN_PRIOR`` of the total draws a warning, as that label could
    then almost never be predicted.

    >>> check_priors({"a": 1, "b": 3}, ["a", "b"]).tolist()
    [0.25, 0.75]
    """
    names = [str(label) for label in classes]
    unknown = sorted(set(map(str, priors)) - set(names))
    missing = [label for label in names if label not in priors]
    bad = {
        k: v
        for k, v in priors.items()
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v < math.inf
    }
    if unknown or missing or bad:
        raise InvalidValueError(
            f"label priors must give a positive, finite number for each of {', '.join(names)}; "
            f"got unknown labels {unknown}, missing {missing}, bad values {bad}. "
            "Example: business_enabling=0.05,commodity_outsourceable=0.75,ktlo=0.2"
        )
    values = np.array([float(priors[label]) for label in names])
    values = values / values.max()  # first to at most 1, so that the sum cannot overflow (1e308 + 1e308)
    shares = values / values.sum()
    tiny = {label: float(share) for label, share in zip(names, shares) if share < MIN_GIVEN_PRIOR}
    if tiny:
        given = ", ".join(f"{label} {share:.3g} ({priors[label]!r} given)" for label, share in tiny.items())
        warnings.warn(
            f"label priors give {given} of the total, less than {MIN_GIVEN_PRIOR:.2%}: such a label will almost "
            "never be predicted. Priors are the label proportions expected in the data, e.g. "
            "business_enabling=0.05,commodity_outsourceable=0.75,ktlo=0.2",
            UserWarning,
            stacklevel=2,
        )
    return shares


def register_label_mix(
    registers: Sequence[object],
    labels: Sequence[Hashable] | np.ndarray,
    classes: Iterable[Hashable],
    weights: Sequence[float] | np.ndarray | None = None,
    min_examples: int = MIN_REGISTER_EXAMPLES,
) -> dict[str, dict[str, float]]:
    """The label proportions of each register (kind of text) in training data.

    Counts are weighted by ``weights`` and smoothed by adding one example of
    each label, so no label gets a share of zero. Registers with fewer than
    ``min_examples`` examples, and blank or missing registers, are left out.

    >>> register_label_mix(["ticket"] * 3 + ["story"], ["a", "a", "b", "b"], ["a", "b"], min_examples=3)
    {'ticket': {'a': 0.6, 'b': 0.4}}
    """
    names = [str(label) for label in classes]
    example_weights = np.ones(len(labels)) if weights is None else np.asarray(weights, dtype=np.float64)
    counts: dict[str, np.ndarray] = {}
    sizes: dict[str, int] = {}
    index = {label: position for position, label in enumerate(names)}
    for register, label, weight in zip(registers, labels, example_weights):
        if not isinstance(register, str) or not register.strip():
            continue
        name = register.strip()
        counts.setdefault(name, np.ones(len(names)))[index[str(label)]] += weight
        sizes[name] = sizes.get(name, 0) + 1
    return {
        name: {label: round(float(share), 6) for label, share in zip(names, counts[name] / counts[name].sum())}
        for name in sorted(counts)
        if sizes[name] >= min_examples
    }


class LabelPriorsMixin:
    """Label-prior methods of :class:`~classifier.model.ITWorkClassifier`.

    Needs ``classes_``, ``_check_fitted()`` and ``_raw_probabilities(texts)``
    (probabilities before any priors); keeps ``label_priors_``.
    """

    # Provided by the estimator this is mixed into (declared here for type checkers).
    classes_: np.ndarray
    label_priors_: np.ndarray | None

    if TYPE_CHECKING:

        def _check_fitted(self) -> None: ...

        def _raw_probabilities(self, texts: list[str]) -> np.ndarray: ...

        def _check_texts(self, texts: object) -> list[str]: ...

    def _to_label_priors(self, probabilities: np.ndarray) -> np.ndarray:
        priors = getattr(self, "label_priors_", None)
        if priors is None:
            return probabilities
        return adjust_to_priors(probabilities, priors, self._training_priors())

    def _training_priors(self) -> np.ndarray:
        priors = getattr(self, "training_priors_", None)
        return np.full(len(self.classes_), 1 / len(self.classes_)) if priors is None else np.asarray(priors)

    def estimate_label_priors(self, texts: Sequence[str]) -> dict[str, float]:
        """The label proportions of unlabelled ``texts``, estimated by EM (see :mod:`classifier.priors`).

        Blank texts are ignored; no label gets less than about 0.1%. Pass the result
        to :meth:`set_label_priors`. This helps on data dominated by one kind of
        work (a service-desk export) and can hurt on a varied mix.
        """
        self._check_fitted()
        texts = [text for text in self._check_texts(texts) if text.strip()]
        priors = estimate_priors(self._raw_probabilities(texts), self._training_priors())
        priors = np.maximum(priors, MIN_ESTIMATED_PRIOR)  # EM drives absent labels to 0; keep them possible
        priors = priors / priors.sum()
        return {str(label): round(float(value), 6) for label, value in zip(self.classes_, priors)}

    def set_label_priors(self: _Estimator, priors: Mapping[str, float] | str | None) -> _Estimator:
        """Adjust probabilities to the label proportions of the data you score; ``None`` undoes it. Returns self.

        ``priors`` is a dict of label to share, or the name of a register in
        ``register_priors_`` (the label mix of that kind of text in training):
        ``"ticket"`` for a service-desk export.

        >>> from classifier import ITWorkClassifier
        >>> model = ITWorkClassifier(scope_quantile=None).fit(
        ...     ["reset my password", "unlock account, reset password", "patch our claims app",
        ...      "fix the billing batch job"], ["commodity", "commodity", "ktlo", "ktlo"])
        >>> model.set_label_priors({"commodity": 0.2, "ktlo": 0.8}).label_priors_.tolist()
        [0.2, 0.8]
        >>> model.predict(["password"])
        ['ktlo']
        """
        self._check_fitted()
        if isinstance(priors, str):
            priors = self._register_priors(priors)
        self.label_priors_ = None if priors is None else check_priors(priors, self.classes_)
        return self

    def _register_priors(self, register: str) -> dict[str, float]:
        known = getattr(self, "register_priors_", None) or {}
        if register not in known:
            if not known:
                raise InvalidValueError(
                    f"label priors {register!r}: this model has no register label mixes because it was trained "
                    "without a register column; give LABEL=SHARE pairs or 'auto', or retrain with registers"
                )
            raise InvalidValueError(
                f"label priors {register!r}: no such register in this model; registers are: "
                f"{', '.join(known)}. Use one of them, 'auto' or LABEL=SHARE pairs"
            )
        return known[register]
