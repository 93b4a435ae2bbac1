"""scikit-learn's estimator checks, for the checks that apply to estimators of texts.

``parametrize_with_checks`` yields, for an estimator whose input tags say
"strings, not 2-D arrays", only ``check_estimator_cloneable``: every other
check in ``sklearn.utils.estimator_checks`` feeds numeric 2-D arrays
(``check_fit2d_*``, ``check_methods_subset_invariance``, ``check_fit_idempotent``,
``check_dict_unchanged``, ``check_n_features_in`` ...), which a text
classifier rejects by design (``check_texts``: "texts must all be strings").
The data-free API checks are run here by name, and the data checks that
matter for texts are restated below on texts: idempotent fit, parameters
untouched by fit, sample order and subset invariance, unfitted use refused.
"""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.utils import estimator_checks as checks
from sklearn.utils.estimator_checks import parametrize_with_checks

from classifier import ITWorkClassifier, NotFittedError
from classifier.registers import RegisterAdaptation, RegisterDetector
from classifier.word_tfidf import WordTfidf
from tests.conftest import TINY

ESTIMATORS = [
    ITWorkClassifier(scope_quantile=None, calibration="none"),
    WordTfidf(),
    RegisterAdaptation(),
    RegisterDetector(),
]
NAMES = ["ITWorkClassifier", "WordTfidf", "RegisterAdaptation", "RegisterDetector"]
DATA_FREE_CHECKS = [
    checks.check_no_attributes_set_in_init,
    checks.check_get_params_invariance,
    checks.check_set_params,
    checks.check_parameters_default_constructible,
    checks.check_estimator_repr,
    checks.check_mixin_order,
    checks.check_valid_tag_types,
    checks.check_estimator_tags_renamed,
]
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")  # the skip is explained above
TEXTS = [text for text, _ in TINY]
LABELS = [label for _, label in TINY]


@parametrize_with_checks(ESTIMATORS)
def test_scikit_learn_checks_for_text_estimators(estimator, check):
    check(estimator)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=NAMES)
@pytest.mark.parametrize("check", DATA_FREE_CHECKS, ids=lambda check: check.__name__)
def test_data_free_api_checks(estimator, check):
    check(type(estimator).__name__, clone(estimator))


def _fit(estimator):
    if isinstance(estimator, RegisterAdaptation):
        return estimator.fit(TEXTS, registers=["ticket"] * 10 + ["task_statement"] * 11)
    if isinstance(estimator, RegisterDetector):
        return estimator.fit(TEXTS, ["ticket"] * 10 + ["task_statement"] * 11)
    return estimator.fit(TEXTS, LABELS)


def _output(estimator, texts):
    method = "transform" if hasattr(estimator, "transform") else "predict_proba"
    result = getattr(estimator, method)(texts)
    return result.toarray() if hasattr(result, "toarray") else result


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=NAMES)
def test_fit_is_idempotent_and_leaves_parameters_alone(estimator):
    estimator = clone(estimator)
    params = {key: repr(value) for key, value in estimator.get_params().items()}
    first = _output(_fit(estimator), TEXTS)
    assert {key: repr(value) for key, value in estimator.get_params().items()} == params
    np.testing.assert_array_equal(_output(_fit(estimator), TEXTS), first)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=NAMES)
def test_outputs_do_not_depend_on_sample_order_or_batch(estimator):
    estimator = _fit(clone(estimator))
    order = np.random.default_rng(0).permutation(len(TEXTS))
    whole = _output(estimator, TEXTS)
    # Up to float rounding: the semantic part's cosine distances to a training text itself are 0 or about 1e-7.
    np.testing.assert_allclose(_output(estimator, [TEXTS[i] for i in order]), whole[order], rtol=0, atol=1e-5)
    one_by_one = np.vstack([_output(estimator, [text]) for text in TEXTS])
    np.testing.assert_allclose(one_by_one, whole, rtol=0, atol=1e-5)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=NAMES)
def test_unfitted_estimators_refuse_to_predict(estimator):
    with pytest.raises(NotFittedError if isinstance(estimator, ITWorkClassifier) else ValueError, match="fit"):
        _output(clone(estimator), TEXTS)
