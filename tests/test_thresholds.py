"""Review thresholds: tuned thresholds reach the target precision on held-out data."""

from __future__ import annotations

import numpy as np
import pytest

from classifier import ITWorkClassifier
from classifier.errors import InputTextError
from classifier.thresholds import review_flags, tune_thresholds
from training.data import load_default_corpus


def test_threshold_is_the_lowest_that_keeps_precision():
    classes = ["a", "b"]
    proba = np.array([[0.99, 0.01], [0.95, 0.05], [0.9, 0.1], [0.8, 0.2], [0.7, 0.3], [0.1, 0.9]])
    tuning = tune_thresholds(["a", "a", "a", "b", "a", "b"], proba, classes, precision=0.75)
    # top 5 "a" predictions hold 4 right: 0.8 >= 0.75, so everything down to 0.7 is kept
    assert tuning.thresholds["a"] == 0.7
    assert tuning.per_class["a"] == {"threshold": 0.7, "predicted": 5, "kept": 5, "coverage": 1.0, "precision": 0.8}


def test_unreachable_precision_sends_every_prediction_of_that_label_to_review():
    proba = np.array([[0.9, 0.1], [0.8, 0.2], [0.2, 0.8]])
    tuning = tune_thresholds(["b", "b", "b"], proba, ["a", "b"], precision=0.9)
    assert tuning.thresholds["a"] == 1.0
    assert tuning.per_class["a"]["kept"] == 0
    assert review_flags(["a"], np.array([0.95]), tuning.thresholds).tolist() == [True]


@pytest.mark.parametrize("precision", [0, 1, 1.5, "high", True], ids=["zero", "one", "above", "text", "bool"])
def test_bad_target_precision_is_refused(precision):
    with pytest.raises(InputTextError, match="target precision must be a number between 0 and 1"):
        tune_thresholds(["a"], np.array([[1.0, 0.0]]), ["a", "b"], precision=precision)


def test_probabilities_of_the_wrong_shape_are_refused():
    with pytest.raises(InputTextError, match=r"probabilities must have shape \(2, 2\), got \(2, 3\)"):
        tune_thresholds(["a", "b"], np.ones((2, 3)) / 3, ["a", "b"])


def test_thresholds_tuned_on_one_fold_reach_the_precision_on_a_held_out_fold():
    corpus = load_default_corpus().sample(frac=1.0, random_state=7).reset_index(drop=True)
    train, tune, held_out = corpus.iloc[:1800], corpus.iloc[1800:3800], corpus.iloc[3800:]
    model = ITWorkClassifier(calibration="temperature", review_precision=None, scope_quantile=None, encoder=None)
    model.fit(train["text"].tolist(), train["label"].tolist())
    target = 0.95
    tuning = tune_thresholds(tune["label"], model.predict_proba(tune["text"].tolist()), model.classes_, target)
    decided = model.set_review_thresholds(tuning.thresholds).decide(held_out["text"].tolist())
    kept = ~decided.needs_review
    precision = float(np.mean(decided.labels[kept] == held_out["label"].to_numpy()[kept]))
    assert tuning.precision >= target
    assert precision >= target - 0.02, f"held-out precision {precision:.3f} for target {target}"
    assert 0.3 < kept.mean() < 1.0  # something kept, something sent to review
