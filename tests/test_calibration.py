"""Calibration: ECE, reliability bins and the choice of method."""

from __future__ import annotations

import numpy as np
import pytest

from classifier.calibration import CALIBRATION_METHODS, compare_calibration_methods, expected_calibration_error


def test_perfectly_calibrated_predictions_have_zero_ece():
    # 10 predictions at confidence 0.8, 8 of them right
    proba = np.tile([0.8, 0.2], (10, 1))
    assert expected_calibration_error(["a"] * 8 + ["b"] * 2, proba, ["a", "b"]) == pytest.approx(0.0)


def test_overconfident_predictions_have_large_ece():
    proba = np.tile([0.99, 0.01], (10, 1))
    assert expected_calibration_error(["a"] * 5 + ["b"] * 5, proba, ["a", "b"]) == pytest.approx(0.49)


def test_calibration_repairs_overconfident_scores():
    rng = np.random.default_rng(0)
    y = rng.choice(["a", "b", "c"], size=900)
    signal = np.eye(3)[np.searchsorted(["a", "b", "c"], y)] * 1.0 + rng.normal(0, 1.0, (900, 3))
    scores = signal * 8  # far too confident
    report, calibrated = compare_calibration_methods(scores, y, ["a", "b", "c"])
    assert set(report) == set(CALIBRATION_METHODS)
    assert report["temperature"]["ece"] < report["none"]["ece"] / 3
    assert report["temperature"]["log_loss"] < report["none"]["log_loss"]
    assert np.allclose(calibrated["sigmoid"].sum(axis=1), 1.0)
