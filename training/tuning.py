"""Tune a model bundle's review thresholds on labelled data and store them in the bundle."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

from classifier.errors import InvalidValueError
from classifier.persistence import SHIPPED_MODELS, load_model, save_model
from classifier.thresholds import ThresholdTuning, check_precision, tune_thresholds
from training.checks import MIN_TUNING_ROWS
from training.data import data_sha256, load_labelled_data

#: A label predicted fewer times than this on the tuning data gets a warning: its threshold rests on too few rows.
FEW_PREDICTIONS = 10

__all__ = ["tune_bundle_thresholds"]


def tune_bundle_thresholds(
    model_path: str | os.PathLike | None,
    data_path: str | os.PathLike,
    precision: float = 0.9,
    output: str | os.PathLike | None = None,
    text_column: str = "text",
    label_column: str = "label",
    overwrite: bool = False,
) -> tuple[ThresholdTuning, Path]:
    """Pick per-label thresholds reaching ``precision`` on a labelled file; save them in a bundle.

    The bundle at ``model_path`` is rewritten in place (atomically), or a copy
    goes to ``output`` (an existing one is replaced only with ``overwrite``).
    ``model_path=None`` means the shipped default model (``"fast"`` the fast one),
    which then needs an ``output``. Returns the tuning (coverage kept per label
    on the data) and where the bundle was written. Tune on data the model was
    not trained on, or the thresholds will be too low.

    Needs at least :data:`~training.checks.MIN_TUNING_ROWS` labelled rows
    (checked before the model is loaded); warns for each label predicted
    fewer than ``FEW_PREDICTIONS`` times or whose predictions never reach the
    target precision (threshold 1.0: every prediction of it needs review).
    """
    precision = check_precision(precision)
    if output is not None:
        target = Path(output)
    elif model_path is not None and str(model_path) not in SHIPPED_MODELS:
        target = Path(model_path)
    else:
        raise InvalidValueError(
            "a shipped model is not changed in place; give an output directory "
            "(output=DIR) for the tuned copy, then use it with model_path=DIR"
        )
    data = load_labelled_data(
        data_path, text_column, label_column, duplicates="keep", min_per_class=1, require_all_labels=False
    )
    if len(data) < MIN_TUNING_ROWS:
        raise InvalidValueError(
            f"{data_path}: {len(data)} labelled row{'s' if len(data) != 1 else ''}; tuning review thresholds needs "
            f"at least {MIN_TUNING_ROWS} (a few hundred give stable thresholds)"
        )
    model = load_model(model_path)
    tuning = tune_thresholds(
        data["label"].tolist(), model.predict_proba(data["text"].tolist()), model.classes_, precision
    )
    for label, row in tuning.per_class.items():
        if row["predicted"] < FEW_PREDICTIONS:
            warnings.warn(
                f"{label} was predicted for {row['predicted']} of the {len(data)} rows: its threshold "
                f"{row['threshold']:.3f} rests on too few; tune on more rows",
                stacklevel=2,
            )
        elif row["threshold"] >= 1.0:
            warnings.warn(
                f"no confidence reaches precision {precision} for {label} on these rows: every {label} prediction "
                "will need review; lower the target precision (precision=0.8) or tune on more rows",
                stacklevel=2,
            )
    model.set_review_thresholds(tuning.thresholds)
    card = {key: value for key, value in model.card_.items() if key not in ("files", "classes", "params", "versions")}
    card["review"] = {
        **tuning.to_dict(),
        "tuned_on": {"path": str(data_path), "sha256": data_sha256(data_path), "rows": int(len(data))},
    }
    path = save_model(model, target, card=card, overwrite=True if output is None else overwrite)
    return tuning, path
