"""Shared fixtures: a tiny labelled set, a session-scoped fitted model, the shipped model."""

from __future__ import annotations

import pandas as pd
import pytest

from classifier import ITWorkClassifier, load_model, save_model

TINY = [
    ("Reset the password and unlock the account for a user", "commodity_outsourceable"),
    ("laptop screen cracked need replacement asap", "commodity_outsourceable"),
    ("Printer on floor two keeps jamming", "commodity_outsourceable"),
    ("Set up mailbox and VPN access for the new starter", "commodity_outsourceable"),
    ("Swap failed disk in the storage array and check the backup", "commodity_outsourceable"),
    ("Install Office on the finance desktops", "commodity_outsourceable"),
    ("Buy twenty licences for the design software", "commodity_outsourceable"),
    ("Fix the nightly billing batch job in our in-house claims system", "ktlo"),
    ("Patch the customised order database and rerun the failed export", "ktlo"),
    ("Update the runbook for the legacy warehouse application", "ktlo"),
    ("Investigate the error when users submit hours in our timesheet module", "ktlo"),
    ("Prepare the monthly IT status report and budget review", "ktlo"),
    ("Renew the support contract for the existing document system", "ktlo"),
    ("Tune slow queries in the old stock control database", "ktlo"),
    ("Build a self-service returns flow in the customer mobile app", "business_enabling"),
    ("Design a churn prediction model with marketing to grow subscriptions", "business_enabling"),
    ("Launch online ordering for partner retailers in a new market", "business_enabling"),
    ("Gather requirements with sales for a new customer loyalty portal", "business_enabling"),
    ("Develop an API so customers can track deliveries in real time", "business_enabling"),
    ("Define the product roadmap for the new subscription offering", "business_enabling"),
    ("Create pricing analytics that drive revenue decisions", "business_enabling"),
]


@pytest.fixture(scope="session")
def tiny_frame() -> pd.DataFrame:
    return pd.DataFrame(TINY, columns=["text", "label"])


@pytest.fixture(scope="session")
def fitted_model(tiny_frame) -> ITWorkClassifier:
    return ITWorkClassifier().fit(tiny_frame["text"].tolist(), tiny_frame["label"].tolist())


@pytest.fixture(scope="session")
def tiny_bundle(fitted_model, tmp_path_factory) -> str:
    """The tiny model saved once per session: ``--model`` for CLI tests that need not load the shipped bundle."""
    return str(save_model(fitted_model, tmp_path_factory.mktemp("bundle") / "tiny"))


@pytest.fixture(scope="session")
def default_model() -> ITWorkClassifier:
    return load_model()


@pytest.fixture
def tiny_csv(tmp_path, tiny_frame):
    path = tmp_path / "labelled.csv"
    tiny_frame.to_csv(path, index=False)
    return path
