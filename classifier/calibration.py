"""Calibrated confidence: expected calibration error and choosing a calibration method.

A confidence of 0.9 should be right nine times in ten. Logistic regression on
sparse text features is usually over- or under-confident, so the classifier
maps its decision scores to probabilities with scikit-learn's
:class:`~sklearn.calibration.CalibratedClassifierCV`, using the method that
gives the lowest out-of-fold log loss:

* ``"none"`` — the logistic regression's own probabilities;
* ``"temperature"`` — one temperature for all classes (never changes the predicted label);
* ``"sigmoid"`` — Platt scaling per class;
* ``"isotonic"`` — a monotone step function per class (needs a few hundred examples per class).

Training computes out-of-fold decision scores once (each text scored by a
model that did not see it). The methods are compared on them, the review
thresholds are tuned on them, and :func:`fit_calibrator` fits the chosen
calibrator on all of them; the model fitted on all the data is then
calibrated by it, as ``CalibratedClassifierCV(ensemble=False)`` would do, but
without fitting the fold models a second time.

>>> import numpy as np
>>> probabilities = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.7, 0.3]])
>>> expected_calibration_error(["a", "b", "a", "b"], probabilities, ["a", "b"])
0.35
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import log_loss
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.utils.extmath import softmax

__all__ = [
    "CALIBRATION_METHODS",
    "expected_calibration_error",
    "reliability_table",
    "compare_calibration_methods",
    "fit_calibrator",
    "calibrate_out_of_fold",
    "GivenScores",
    "calibrator_state",
    "restore_calibrator",
]

CALIBRATION_METHODS = ("none", "temperature", "sigmoid", "isotonic")


def _confidence_and_hits(
    y_true: Sequence[Hashable] | np.ndarray, probabilities: np.ndarray, classes: Sequence[Hashable] | np.ndarray
):
    probabilities = np.asarray(probabilities, dtype=float)
    confidence = probabilities.max(axis=1)
    predicted = np.asarray(classes, dtype=object)[probabilities.argmax(axis=1)]
    hits = predicted == np.asarray(y_true, dtype=object)
    return confidence, hits


def reliability_table(
    y_true: Sequence[Hashable] | np.ndarray,
    probabilities: np.ndarray,
    classes: Sequence[Hashable] | np.ndarray,
    n_bins: int = 10,
) -> list[dict]:
    """Per confidence bin: its range, how many predictions fall in it, their mean confidence and accuracy.

    Bins are equally wide over [0, 1]; empty bins are left out.

    >>> import numpy as np
    >>> rows = reliability_table(["a", "a"], np.array([[0.95, 0.05], [0.3, 0.7]]), ["a", "b"], n_bins=5)
    >>> [(row["low"], row["count"], row["accuracy"]) for row in rows]
    [(0.6, 1, 0.0), (0.8, 1, 1.0)]
    """
    confidence, hits = _confidence_and_hits(y_true, probabilities, classes)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    index = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, n_bins - 1)
    rows = []
    for b in range(n_bins):
        members = index == b
        if members.any():
            rows.append(
                {
                    "low": round(float(edges[b]), 6),
                    "high": round(float(edges[b + 1]), 6),
                    "count": int(members.sum()),
                    "confidence": float(confidence[members].mean()),
                    "accuracy": float(hits[members].mean()),
                }
            )
    return rows


def expected_calibration_error(
    y_true: Sequence[Hashable] | np.ndarray,
    probabilities: np.ndarray,
    classes: Sequence[Hashable] | np.ndarray,
    n_bins: int = 10,
) -> float:
    """Top-label expected calibration error: the count-weighted gap between confidence and accuracy per bin."""
    rows = reliability_table(y_true, probabilities, classes, n_bins)
    total = sum(row["count"] for row in rows)
    if total == 0:
        return 0.0
    return round(float(sum(row["count"] * abs(row["confidence"] - row["accuracy"]) for row in rows) / total), 6)


class GivenScores(ClassifierMixin, BaseEstimator):
    """A classifier whose decision scores are its input: lets a calibrator be cross-validated on fixed scores."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def decision_function(self, X):
        X = np.asarray(X)
        return X[:, 1] - X[:, 0] if X.shape[1] == 2 else X  # two classes: one score, as scikit-learn expects

    def predict(self, X):
        return self.classes_[np.asarray(X).argmax(axis=1)]


def compare_calibration_methods(
    scores: np.ndarray,
    y: Sequence[Hashable] | np.ndarray,
    classes: Sequence[Hashable] | np.ndarray,
    folds: int = 5,
    seed: int = 0,
    methods: Sequence[str] = CALIBRATION_METHODS,
) -> tuple[dict[str, dict[str, float]], dict[str, np.ndarray]]:
    """Out-of-fold log loss and ECE of each calibration method on out-of-fold decision ``scores``.

    ``scores`` are multinomial logistic-regression decision scores, columns in
    ``classes`` order, each predicted by a model that did not see its row.
    Returns the metrics per method and each method's out-of-fold probabilities.
    """
    truth = np.asarray(y)
    scores = np.asarray(scores, dtype=np.float64)
    columns = list(classes)
    results, calibrated = {}, {}
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for method in methods:
        if method == "none":
            probabilities = softmax(np.asarray(scores, dtype=np.float64))
        else:
            # GivenScores learns nothing, so its cross-validated scores are its scores whatever the folds: the
            # calibrator is fitted on all of the training fold's scores, and two rows of each label suffice.
            calibrator = CalibratedClassifierCV(GivenScores(), method=method, cv=2, ensemble=False)
            probabilities = cross_val_predict(calibrator, scores, truth, cv=splitter, method="predict_proba")
            probabilities = probabilities / probabilities.sum(axis=1, keepdims=True)
        results[method] = {
            "log_loss": round(float(log_loss(truth, probabilities, labels=columns)), 6),
            "ece": expected_calibration_error(truth, probabilities, columns),
        }
        calibrated[method] = probabilities
    return results, calibrated


def fit_calibrator(
    scores: np.ndarray, y: Sequence[Hashable] | np.ndarray, method: str
) -> CalibratedClassifierCV | None:
    """A calibrator fitted on all out-of-fold decision ``scores`` (columns in sorted label order); None for "none".

    Its ``predict_proba`` takes decision scores of the same shape.

    >>> scores = np.array([[2.0, -2.0], [1.0, -1.0], [-1.5, 1.5], [-2.0, 2.0], [0.5, -0.5], [-0.2, 0.2]])
    >>> calibrator = fit_calibrator(scores, ["a", "a", "b", "b", "b", "a"], "temperature")
    >>> calibrator.predict_proba(np.array([[3.0, -3.0]])).round(2).tolist()
    [[0.99, 0.01]]
    """
    if method == "none":
        return None
    scores = np.asarray(scores, dtype=np.float64)
    given = GivenScores().fit(scores, np.asarray(y))
    # A frozen estimator's cross-validated scores are its scores: the folds only need two rows of each label.
    return _calibrator(given, method).fit(scores, np.asarray(y))


def _calibrator(given: GivenScores, method: str) -> CalibratedClassifierCV:
    return CalibratedClassifierCV(FrozenEstimator(given), method=method, cv=2)


def calibrator_state(calibrator: CalibratedClassifierCV) -> list[dict]:
    """The learned numbers of a calibrator from :func:`fit_calibrator`: one dict per per-class map.

    ``temperature``: ``beta``; ``sigmoid``: ``a`` and ``b``; ``isotonic``: the step function's ``x``
    and ``y`` thresholds, ``x_min``, ``x_max`` and ``increasing``. :func:`restore_calibrator` takes them back.
    """
    (fitted,) = calibrator.calibrated_classifiers_
    method = calibrator.method
    if method == "temperature":
        return [{"beta": float(one.beta_)} for one in fitted.calibrators]
    if method == "sigmoid":
        return [{"a": float(one.a_), "b": float(one.b_)} for one in fitted.calibrators]
    if method == "isotonic":
        return [
            {
                "x": np.asarray(one.X_thresholds_, dtype=np.float64).tolist(),
                "y": np.asarray(one.y_thresholds_, dtype=np.float64).tolist(),
                "x_min": float(one.X_min_),
                "x_max": float(one.X_max_),
                "increasing": bool(one.increasing_),
            }
            for one in fitted.calibrators
        ]
    raise ValueError(f"unknown calibration method {method!r}; expected one of {', '.join(CALIBRATION_METHODS[1:])}")


def restore_calibrator(method: str, classes: Sequence[Hashable], parameters: Sequence[dict]) -> CalibratedClassifierCV:
    """A fitted calibrator built from checked values (:func:`calibrator_state`): model bundles call this.

    Every object is built here; only the numbers come from ``parameters``.

    >>> calibrator = restore_calibrator("temperature", ["a", "b"], [{"beta": 1.0}])
    >>> calibrator.predict_proba(np.array([[0.0, 0.0]])).tolist()
    [[0.5, 0.5]]
    """
    from sklearn.calibration import _CalibratedClassifier, _SigmoidCalibration, _TemperatureScaling
    from sklearn.isotonic import IsotonicRegression

    labels = np.asarray(classes)
    maps: list = []
    for values in parameters:
        if method == "temperature":
            one = _TemperatureScaling()
            one.beta_ = np.float64(values["beta"])
        elif method == "sigmoid":
            one = _SigmoidCalibration()
            one.a_, one.b_ = np.float64(values["a"]), np.float64(values["b"])
        elif method == "isotonic":
            one = IsotonicRegression(out_of_bounds="clip")
            one.X_thresholds_ = np.asarray(values["x"], dtype=np.float64)
            one.y_thresholds_ = np.asarray(values["y"], dtype=np.float64)
            one.X_min_, one.X_max_ = float(values["x_min"]), float(values["x_max"])
            one.increasing_ = bool(values["increasing"])
            one._build_f(one.X_thresholds_, one.y_thresholds_)  # the interpolation, as fit builds it
        else:
            raise ValueError(f"unknown calibration method {method!r}")
        maps.append(one)
    given = GivenScores()
    given.classes_ = labels
    calibrator = _calibrator(given, method)
    calibrator.calibrated_classifiers_ = [
        _CalibratedClassifier(calibrator.estimator, maps, classes=labels, method=method)
    ]
    calibrator.classes_ = labels
    return calibrator


def calibrate_out_of_fold(
    scores: np.ndarray, y: Sequence | np.ndarray, method: str, folds: int = 5, seed: int = 0
) -> tuple[CalibratedClassifierCV | None, str, dict[str, dict[str, float]], np.ndarray]:
    """Choose (``method="auto"``) or use ``method`` on out-of-fold decision ``scores``, and fit it on all of them.

    Returns the fitted calibrator (None for "none"), the method, the report of the methods compared and
    the cross-validated calibrated probabilities of the method, from which review thresholds are tuned.
    """
    classes = np.unique(np.asarray(y))
    methods = CALIBRATION_METHODS if method == "auto" else ("none", method) if method != "none" else ("none",)
    report, calibrated = compare_calibration_methods(scores, y, classes, folds, seed, methods)
    if method == "auto":
        method = min(report, key=lambda name: (report[name]["log_loss"], CALIBRATION_METHODS.index(name)))
    return fit_calibrator(scores, y, method), method, report, calibrated[method]
