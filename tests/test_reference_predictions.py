"""The model fitted on the committed corpus with seed 0 gives the recorded probabilities (slow: a full fit).

``tests/data/reference_predictions.json`` holds ``predict_proba`` of a fixed set of
texts by the n-gram model (``encoder=None``, the shipped ``fast`` model's
configuration), recorded when it last changed on purpose. A restructuring of
the code must reproduce them to 1e-9.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from training.data import load_default_corpus
from training.pipeline import TrainConfig

REFERENCE = Path(__file__).parent / "data" / "reference_predictions.json"


@pytest.mark.slow
def test_corpus_ngram_model_reproduces_the_recorded_probabilities():
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    data = load_default_corpus()
    model = TrainConfig(model={"encoder": None}).estimator()
    model.fit(data["text"].tolist(), data["label"].tolist(), registers=data["register"].tolist())
    assert [str(label) for label in model.classes_] == reference["classes"]
    assert model.calibration_method_ == reference["calibration_method"]
    np.testing.assert_allclose(model.predict_proba(reference["texts"]), reference["predict_proba"], rtol=0, atol=1e-9)
    decisions = model.decide(reference["texts"])
    assert decisions.in_scope.tolist() == reference["in_scope"]
    assert decisions.needs_review.tolist() == reference["needs_review"]
    assert model.review_thresholds_ == reference["review_thresholds"]
