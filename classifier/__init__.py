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

from classifier.errors import (  # noqa: E402
    ColumnNotFoundError,
    InputTextError,
    InvalidValueError,
    ITWorkError,
    LabelError,
    MissingExtraError,
    ModelLoadError,
    NotFittedError,
    OutputExistsError,
    TableReadError,
    TrainingDataError,
)
from classifier.jobs import Activity, JobAnalysis, analyze_job, split_activities  # noqa: E402
from classifier.labels import LABEL_IDS, LABELS, Label, parse_label  # noqa: E402
from classifier.model import ITWorkClassifier, Prediction  # noqa: E402
from classifier.normalize import TextNormalizer  # noqa: E402
from classifier.persistence import default_model_path, load_model, save_model  # noqa: E402
from classifier.portfolio import PortfolioAnalysis, analyze_portfolio, portfolio_file, portfolio_report  # noqa: E402
from classifier.reports import Report  # noqa: E402
from classifier.scoring import score_file, score_frame  # noqa: E402
from classifier.tables import read_table, write_table  # noqa: E402

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
    "PortfolioAnalysis",
    "analyze_portfolio",
    "portfolio_file",
    "portfolio_report",
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
    "InvalidValueError",
    "MissingExtraError",
]
