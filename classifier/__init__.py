"""it-work-classifier: sort descriptions of IT work into ktlo, commodity_outsourceable and business_enabling.

``load_model()`` gives the shipped model; any model is fitted the same way
as this toy one (six texts, no scope detector):

>>> from classifier import ITWorkClassifier
>>> model = ITWorkClassifier(scope_quantile=None).fit(
...     ["reset my password", "replace the broken laptop", "build the customer booking app",
...      "launch online ordering for customers", "patch our claims system", "fix the nightly billing batch job"],
...     ["commodity_outsourceable"] * 2 + ["business_enabling"] * 2 + ["ktlo"] * 2)
>>> model.predict(["Build a self-service returns flow in the customer app"])
['business_enabling']
"""

__version__ = "0.1.0"

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from classifier.errors import (
        ColumnNotFoundError,
        InputTextError,
        InvalidValueError,
        ITWorkError,
        LabelError,
        MissingExtraError,
        ModelLoadError,
        NotFittedError,
        OutputExistsError,
        OutputWriteError,
        TableReadError,
        TrainingDataError,
    )
    from classifier.jobs import Activity, JobAnalysis, analyze_job, analyze_job_table, split_activities
    from classifier.labels import LABEL_IDS, LABELS, Label, parse_label
    from classifier.model import ITWorkClassifier, Prediction
    from classifier.normalize import TextNormalizer
    from classifier.persistence import default_model_path, load_model, save_model
    from classifier.portfolio import (
        PortfolioAnalysis,
        analyze_portfolio,
        portfolio_file,
        portfolio_report,
        summarize_portfolio,
    )
    from classifier.reports import Report
    from classifier.scoring import score_file, score_frame
    from classifier.tables import read_table, write_table

#: Where each public name lives: imported on first use (PEP 562), so that `import classifier` and
#: `itwork --help` do not load scikit-learn, spaCy and pandas, which take seconds.
_EXPORTS: dict[str, str] = {
    "ColumnNotFoundError": "classifier.errors",
    "InputTextError": "classifier.errors",
    "InvalidValueError": "classifier.errors",
    "ITWorkError": "classifier.errors",
    "LabelError": "classifier.errors",
    "MissingExtraError": "classifier.errors",
    "ModelLoadError": "classifier.errors",
    "NotFittedError": "classifier.errors",
    "OutputExistsError": "classifier.errors",
    "OutputWriteError": "classifier.errors",
    "TableReadError": "classifier.errors",
    "TrainingDataError": "classifier.errors",
    "Activity": "classifier.jobs",
    "JobAnalysis": "classifier.jobs",
    "analyze_job": "classifier.jobs",
    "analyze_job_table": "classifier.jobs",
    "split_activities": "classifier.jobs",
    "LABEL_IDS": "classifier.labels",
    "LABELS": "classifier.labels",
    "Label": "classifier.labels",
    "parse_label": "classifier.labels",
    "ITWorkClassifier": "classifier.model",
    "Prediction": "classifier.model",
    "TextNormalizer": "classifier.normalize",
    "default_model_path": "classifier.persistence",
    "load_model": "classifier.persistence",
    "save_model": "classifier.persistence",
    "PortfolioAnalysis": "classifier.portfolio",
    "analyze_portfolio": "classifier.portfolio",
    "portfolio_file": "classifier.portfolio",
    "portfolio_report": "classifier.portfolio",
    "summarize_portfolio": "classifier.portfolio",
    "Report": "classifier.reports",
    "score_file": "classifier.scoring",
    "score_frame": "classifier.scoring",
    "read_table": "classifier.tables",
    "write_table": "classifier.tables",
}

__all__ = [
    "__version__",
    "ITWorkClassifier",
    "Prediction",
    "TextNormalizer",
    "Label",
    "LABELS",
    "LABEL_IDS",
    "parse_label",
    "load_model",
    "save_model",
    "default_model_path",
    "score_file",
    "score_frame",
    "read_table",
    "write_table",
    "Activity",
    "split_activities",
    "JobAnalysis",
    "analyze_job",
    "analyze_job_table",
    "PortfolioAnalysis",
    "analyze_portfolio",
    "portfolio_file",
    "portfolio_report",
    "summarize_portfolio",
    "Report",
    "ITWorkError",
    "LabelError",
    "InputTextError",
    "ColumnNotFoundError",
    "TableReadError",
    "TrainingDataError",
    "ModelLoadError",
    "NotFittedError",
    "OutputExistsError",
    "OutputWriteError",
    "InvalidValueError",
    "MissingExtraError",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'classifier' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
