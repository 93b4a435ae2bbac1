"""The schema of a model bundle's JSON files: what ``manifest.json`` and ``config.json`` may hold.

Both are validated with pydantic in strict mode before anything is built from
them: every field has a type and a range, unknown fields are refused (so no
``n_jobs``, ``input`` or ``dtype`` can be smuggled in), and strings are not
turned into numbers. The classifier's parameters are checked against the
signature of :class:`~classifier.model.ITWorkClassifier` (one field per
keyword argument, with its type hint) and then against its
``_parameter_constraints``. :data:`STATE_FIELDS` names where each attribute of
:data:`~classifier.model.FITTED_STATE` is kept; importing this module fails if
the two lists disagree.

>>> Manifest.model_validate_json('{"format_version": 4, "files": {}}').format_version
4
"""

from __future__ import annotations

import inspect
import typing
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from classifier.calibration import CALIBRATION_METHODS
from classifier.model import FITTED_STATE, ITWorkClassifier

__all__ = [
    "FORMAT_VERSION",
    "BUNDLE_FILES",
    "STATE_FIELDS",
    "Manifest",
    "Config",
    "State",
    "Params",
]

FORMAT_VERSION = 4
#: The files of a bundle, each listed in ``manifest.json`` with its size and SHA-256.
BUNDLE_FILES = ("config.json", "arrays.safetensors", "card.json", "MODEL_CARD.md")

_STRICT = ConfigDict(extra="forbid", strict=True, frozen=True)


class _Strict(BaseModel):
    model_config = _STRICT


Finite = Annotated[float, Field(allow_inf_nan=False)]
Probability = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Count = Annotated[int, Field(ge=0)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
Version = Annotated[str, Field(pattern=r"^[0-9A-Za-z.+!_-]{1,64}$")]


class FileEntry(_Strict):
    size: Count
    sha256: Sha256


class Manifest(_Strict):
    """``manifest.json``: the format and each file's size and SHA-256 (card.json included)."""

    format_version: int
    files: dict[Literal[BUNDLE_FILES], FileEntry]  # type: ignore[valid-type]


#: Parameters added after format 4 was first written: a bundle without them gets ``__init__``'s default.
PARAMS_ADDED_LATER = ("max_text_chars",)


def _params_model() -> type[BaseModel]:
    """One field per keyword argument of ``ITWorkClassifier.__init__``, typed by its hint.

    Every field is required except those in :data:`PARAMS_ADDED_LATER`, which default as ``__init__`` does.
    """
    hints = typing.get_type_hints(ITWorkClassifier.__init__)
    parameters = inspect.signature(ITWorkClassifier.__init__).parameters
    fields: dict[str, typing.Any] = {
        name: (hints[name], parameter.default if name in PARAMS_ADDED_LATER else ...)
        for name, parameter in parameters.items()
        if name != "self"
    }
    return create_model("Params", __config__=_STRICT, **fields)


#: The classifier's parameters (``get_params()``), one field per keyword argument of ``ITWorkClassifier``.
Params = _params_model()


class MethodScores(_Strict):
    log_loss: Annotated[float, Field(ge=0, allow_inf_nan=False)]
    ece: Probability


class ClassTuning(_Strict):
    threshold: Probability
    predicted: Count
    kept: Count
    coverage: Probability
    precision: Probability


class ReviewTuning(_Strict):
    precision_target: Probability
    thresholds: dict[Name, Probability]
    per_class: dict[Name, ClassTuning]
    coverage: Probability
    precision: Probability


class TemperatureMap(_Strict):
    beta: Positive


class SigmoidMap(_Strict):
    a: Finite
    b: Finite


class IsotonicMap(_Strict):
    x: list[Finite] = Field(min_length=1)
    y: list[Probability] = Field(min_length=1)
    x_min: Finite
    x_max: Finite
    increasing: bool


class TemperatureCalibrator(_Strict):
    method: Literal["temperature"]
    maps: list[TemperatureMap] = Field(min_length=1, max_length=1)


class SigmoidCalibrator(_Strict):
    method: Literal["sigmoid"]
    maps: list[SigmoidMap] = Field(min_length=1)


class IsotonicCalibrator(_Strict):
    method: Literal["isotonic"]
    maps: list[IsotonicMap] = Field(min_length=1)


Calibrator = Annotated[TemperatureCalibrator | SigmoidCalibrator | IsotonicCalibrator, Field(discriminator="method")]


class Scope(_Strict):
    unseen_weight: Finite
    threshold: Finite
    n_corpus_tokens: Count


class State(_Strict):
    """The fitted state that is small enough for JSON; bulk arrays live in ``arrays.safetensors``."""

    calibration_method: Literal[CALIBRATION_METHODS]  # type: ignore[valid-type]
    calibration_report: dict[Literal[CALIBRATION_METHODS], MethodScores]  # type: ignore[valid-type]
    calibrator: Calibrator | None
    cascade_calibrator: Calibrator | None
    review_thresholds: dict[Name, Probability]
    review_tuning: ReviewTuning | None
    training_priors: list[Probability] = Field(min_length=2)
    label_priors: list[Probability] | None
    register_priors: dict[Name, dict[Name, Probability]]
    adapted_registers: tuple[Name, ...]
    detector_classes: tuple[Name, ...] | None
    scope: Scope | None
    encoder_files: dict[Literal["onnx", "tokenizer"], Sha256] | None
    oof_probabilities: bool


class Versions(_Strict):
    it_work_classifier: Version = Field(alias="it-work-classifier")
    scikit_learn: Version = Field(alias="scikit-learn")
    spacy: Version


class Config(_Strict):
    """``config.json``: the format, library versions, parameters, classes and the fitted state's small part."""

    format_version: Literal[4]
    estimator: Literal["ITWorkClassifier"]
    versions: Versions
    params: Params  # type: ignore[valid-type]
    classes: list[Name] | list[int] = Field(min_length=2, max_length=1000)
    state: State


#: Where each attribute of FITTED_STATE is kept: a field of ``config.json``'s ``state``, or arrays.
STATE_FIELDS: dict[str, str] = {
    "pipeline_": "arrays word.*, char.*, classifier.*, detector.* and state.adapted_registers, detector_classes",
    "classes_": "classes",
    "calibrator_": "state.calibrator",
    "calibration_method_": "state.calibration_method",
    "calibration_report_": "state.calibration_report",
    "review_thresholds_": "state.review_thresholds",
    "review_tuning_": "state.review_tuning",
    "training_priors_": "state.training_priors",
    "label_priors_": "state.label_priors",
    "register_priors_": "state.register_priors",
    "adapted_registers_": "state.adapted_registers",
    "scope_": "state.scope and arrays scope.*",
    "encoder_": "params.encoder, params.encoder_max_length and state.encoder_files",
    "neighbours_": "arrays neighbours.*",
    "cascade_calibrator_": "state.cascade_calibrator",
    "oof_probabilities_": "array oof_probabilities (state.oof_probabilities says whether it is there)",
}
if set(STATE_FIELDS) != set(FITTED_STATE):  # pragma: no cover - a developer's mistake, caught on import
    raise ImportError(
        f"classifier.bundle_schema.STATE_FIELDS {sorted(STATE_FIELDS)} does not match FITTED_STATE "
        f"{sorted(FITTED_STATE)}: say how each fitted attribute is saved"
    )
