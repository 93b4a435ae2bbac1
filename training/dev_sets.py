"""The labelled dev sets in ``../shared/data`` (evaluation only; never trained on).

They are not part of the project: evaluation and benchmark code reads them
from the shared folder beside the checkout. O*NET task statements: O*NET 29.3
Database, U.S. Department of Labor/Employment and Training Administration,
CC BY 4.0.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

__all__ = ["shared_data_dir", "load_dev_sets", "load_tickets", "DEV_SET_REGISTERS"]

#: The register (kind of text) of each dev set, as the corpus names it: for the register label mixes.
DEV_SET_REGISTERS = {"onet_dev": "task_statement", "tickets_dev": "ticket"}


def shared_data_dir() -> Path:
    """``$ITWORK_SHARED_DATA``, else ``../shared/data`` beside the checkout."""
    configured = os.environ.get("ITWORK_SHARED_DATA")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def load_tickets(directory: Path | None = None) -> pd.DataFrame:
    """All service-desk tickets (``ticket_id``, ``text``, ``topic_group``)."""
    directory = directory or shared_data_dir()
    return pd.read_csv(directory / "it_service_tickets.csv", dtype={"text": str}, keep_default_na=False)


def load_dev_sets(directory: Path | None = None) -> dict[str, pd.DataFrame]:
    """``{"onet_dev": frame, "tickets_dev": frame}`` with columns ``text``, ``label``, ``agreement``."""
    directory = directory or shared_data_dir()
    if not (directory / "onet_dev_labels.csv").is_file():
        raise FileNotFoundError(
            f"dev sets not found in {directory}; put the shared folder beside the checkout or set ITWORK_SHARED_DATA"
        )
    onet = pd.read_csv(directory / "onet_it_tasks.tsv", sep="\t")
    onet_labels = pd.read_csv(directory / "onet_dev_labels.csv")
    tickets_labels = pd.read_csv(directory / "tickets_dev_labels.csv")
    return {
        "onet_dev": onet_labels.merge(onet, on="task_id", how="left", validate="one_to_one"),
        "tickets_dev": tickets_labels.merge(load_tickets(directory), on="ticket_id", how="left", validate="one_to_one"),
    }
