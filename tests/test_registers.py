"""Register adaptation: a feature copy per adapted register, weighted by the detected register."""

import numpy as np
import pytest

from classifier import ITWorkClassifier, load_model, save_model
from classifier.errors import ParameterError
from classifier.registers import RegisterAdaptation, RegisterDetector, known_registers, registers_to_adapt
from classifier.word_tfidf import WordTfidf

# "design" is business work in task statements and a sign-off ("design lead") in tickets.
ROWS = [
    ("hi printer jammed again pls help thanks design lead", "commodity_outsourceable", "ticket"),
    ("hello need outlook reinstalled asap regards design lead", "commodity_outsourceable", "ticket"),
    ("pls reset my vpn password thanks, senior design engineer", "commodity_outsourceable", "ticket"),
    ("new laptop for starter monday please thx design team", "commodity_outsourceable", "ticket"),
    ("hi timesheet module error on save pls fix, design lead", "ktlo", "ticket"),
    ("billing batch failed again in our claims app please check", "ktlo", "ticket"),
    ("Design new online booking services for customers.", "business_enabling", "task_statement"),
    ("Design customer-facing features to grow online sales.", "business_enabling", "task_statement"),
    ("Develop a mobile ordering app for retail customers.", "business_enabling", "task_statement"),
    ("Patch and maintain the customized order database.", "ktlo", "task_statement"),
    ("Document the existing warehouse application.", "ktlo", "task_statement"),
    ("Install and repair desktop computers and printers.", "commodity_outsourceable", None),
]


def _fit(rows=ROWS, copies=6, **params):
    texts, labels, registers = zip(*(rows * copies))
    params = {"calibration": "none", "scope_quantile": None, "review_precision": None, **params}
    return ITWorkClassifier(**params).fit(list(texts), list(labels), registers=list(registers))


@pytest.fixture(scope="module")
def adapted_model():
    return _fit()


def test_known_registers_strips_and_blanks_to_none():
    assert known_registers(["ticket ", " ", None, 3.0]) == ["ticket", None, None, None]


def test_detector_tells_tickets_from_task_statements():
    texts, _, registers = zip(*ROWS[:11])
    detector = RegisterDetector(min_df=1).fit(list(texts), list(registers))
    probabilities = detector.predict_proba(["hi pls help, screen flickers thanks", "Maintain the payroll database."])
    ticket = list(detector.classes_).index("ticket")
    assert probabilities[0, ticket] > 0.5 > probabilities[1, ticket]


def test_detector_needs_two_registers():
    with pytest.raises(ValueError, match="at least two registers, got \\['ticket'\\]"):
        RegisterDetector().fit(["a b", "c d"], ["ticket", "ticket"])


def test_training_features_follow_the_given_registers_and_prediction_the_detected_ones():
    texts, _, registers = zip(*ROWS)
    step = RegisterAdaptation(word=WordTfidf(), detector=RegisterDetector(min_df=1))
    trained = step.fit_transform(list(texts), registers=list(registers)).toarray()
    n_words = len(step.word_.get_feature_names_out())
    assert trained.shape == (len(ROWS), 2 * n_words + 1)
    assert step.adapted_ == ("ticket",)
    bias = trained[:, -1]
    assert bias[:6].tolist() == [1.0] * 6 and bias[6:11].tolist() == [0.0] * 5  # given registers
    assert 0 < bias[11] < 1  # no register given: the detector's estimate
    assert np.array_equal(trained[:6, n_words:-1], trained[:6, :n_words])  # a ticket's copy equals its shared part
    predicted = step.transform(list(texts)).toarray()
    assert np.allclose(predicted[:, n_words:-1], predicted[:, :n_words] * predicted[:, -1:], atol=1e-6)
    assert ((predicted[:, -1] > 0) & (predicted[:, -1] < 1)).all()
    names = step.get_feature_names_out()
    assert names[-1] == "[ticket]" and names[n_words] == f"ticket:{names[0]}"


@pytest.mark.parametrize(
    ("registers", "params"),
    [(None, {}), (["ticket"] * 72, {}), ("rows", {"adapted_registers": ()}), ("rows", {"adapted_registers": ("x",)})],
    ids=["no-registers", "one-register-only", "adaptation-off", "register-not-in-data"],
)
def test_plain_word_features_when_there_is_nothing_to_adapt(registers, params):
    texts, labels, given = zip(*(ROWS * 6))
    model = ITWorkClassifier(calibration="none", scope_quantile=None, **params)
    model.fit(list(texts), list(labels), registers=list(given) if registers == "rows" else registers)
    assert isinstance(model.pipeline_.named_steps["features"], WordTfidf)
    assert model.adapted_registers_ == ()


def test_a_register_with_too_few_examples_is_not_adapted():
    model = _fit(copies=4)  # 24 tickets, fewer than the 30 a register needs
    assert isinstance(model.pipeline_.named_steps["features"], WordTfidf)


def test_adapted_registers_must_be_a_tuple_not_a_str():
    with pytest.raises(
        ParameterError, match=r"parameter adapted_registers must be a tuple of str such as \('ticket',\); got"
    ):
        _fit(adapted_registers="ticket")


def test_registers_to_adapt_needs_enough_examples_and_another_register():
    assert registers_to_adapt(("ticket",), ["ticket"] * 30 + ["story"]) == ("ticket",)
    assert registers_to_adapt(("ticket",), ["ticket"] * 29 + ["story"]) == ()
    assert registers_to_adapt(("ticket",), ["ticket"] * 40 + [None, " "]) == ()
    assert registers_to_adapt((), ["ticket"] * 30 + ["story"]) == ()


def test_a_word_can_mean_different_things_in_tickets_and_task_statements(adapted_model):
    assert adapted_model.pipeline_.named_steps["features"].adapted_ == ("ticket",)
    assert adapted_model.predict(["hi pls help outlook crashed thanks design lead", "Design new online services."]) == [
        "commodity_outsourceable",
        "business_enabling",
    ]


def test_fitting_is_reproducible(adapted_model):
    texts = ["hi pls help outlook crashed thanks design lead", "Design new online services.", ""]
    assert np.array_equal(adapted_model.predict_proba(texts), _fit().predict_proba(texts))


def test_word_direction_folds_register_copies_by_the_detected_weight(adapted_model):
    step = adapted_model.pipeline_.named_steps["features"]
    n_words = len(step.word_.get_feature_names_out())
    direction = np.arange(2 * n_words + 1, dtype=float)
    text = "hi pls help outlook crashed thanks design lead"
    weight = step.register_weights([text])[0, 0]
    expected = direction[:n_words] + weight * direction[n_words:-1]
    assert np.allclose(step.word_direction(direction, text), expected)


def test_decision_terms_weigh_words_by_the_detected_register(adapted_model):
    text = "hi printer broken pls help thanks design lead"
    as_ticket = dict(adapted_model.decision_terms(text, "business_enabling", 20))
    as_statement = dict(adapted_model.decision_terms("Design.", "business_enabling", 20))
    assert as_statement.get("design", 0) > as_ticket.get("design", 0)


def test_adapted_model_survives_save_and_load(adapted_model, tmp_path):
    texts = ["hi pls help outlook crashed thanks design lead", "Design new online services."]
    loaded = load_model(save_model(adapted_model, tmp_path / "bundle"))
    assert isinstance(loaded.pipeline_.named_steps["features"], RegisterAdaptation)
    assert loaded.adapted_registers_ == adapted_model.adapted_registers_ == ("ticket",)
    assert np.array_equal(loaded.predict_proba(texts), adapted_model.predict_proba(texts))


def test_registers_absent_from_the_data_add_no_columns():
    texts, _, registers = zip(*ROWS)
    step = RegisterAdaptation(word=WordTfidf(), registers=("backlog",))
    features = step.fit_transform(list(texts), registers=list(registers))
    assert step.adapted_ == () and features.shape == (len(ROWS), len(step.word_.get_feature_names_out()))
    assert (step.transform(list(texts)) != features).nnz == 0
