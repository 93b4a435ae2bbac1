"""Model bundles: round trips, tampering, forged values (issue 17) and interrupted saves."""

import hashlib
import json
import os
import pickle

import numpy as np
import pytest
from safetensors.numpy import load_file, save_file

from classifier import ITWorkClassifier, ModelLoadError, OutputExistsError, load_model, persistence, save_model
from classifier.model import FITTED_STATE

BUNDLE_FILES = ("config.json", "arrays.safetensors", "card.json", "MODEL_CARD.md")

REGISTERS = ["ticket"] * 30 + ["task_statement"] * 12


@pytest.fixture(scope="module")
def ngram_model(tiny_frame):
    """An n-gram model with an adapted register (word features, detector, scope, calibration), no encoder."""
    texts, labels = tiny_frame["text"].tolist() * 2, tiny_frame["label"].tolist() * 2
    return ITWorkClassifier(encoder=None).fit(texts, labels, registers=REGISTERS)


@pytest.fixture
def bundle(ngram_model, tmp_path):
    return save_model(ngram_model, tmp_path / "bundle")


def _resign(path):
    """Rewrite manifest.json with every file's size and SHA-256, as any forger can."""
    manifest = json.loads((path / "manifest.json").read_text())
    for name in manifest["files"]:
        data = (path / name).read_bytes()
        manifest["files"][name] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    (path / "manifest.json").write_text(json.dumps(manifest))


def _forge(path, config=None, arrays=None):
    """Edit config.json and/or the arrays of a bundle, then re-sign it."""
    if config is not None:
        data = json.loads((path / "config.json").read_text())
        config(data)
        (path / "config.json").write_text(json.dumps(data))
    if arrays is not None:
        data = load_file(path / "arrays.safetensors")
        arrays(data)
        save_file(data, path / "arrays.safetensors")
    _resign(path)


def _set_terms(arrays, name, terms):
    text = "".join(terms)
    arrays[f"{name}.text"] = np.frombuffer(text.encode(), dtype=np.uint8).copy()
    arrays[f"{name}.offsets"] = np.concatenate([[0], np.cumsum([len(term) for term in terms])]).astype(np.int64)


def _terms(arrays, name):
    text, offsets = arrays[f"{name}.text"].tobytes().decode(), arrays[f"{name}.offsets"]
    return [text[a:b] for a, b in zip(offsets[:-1], offsets[1:])]


# -- round trips -------------------------------------------------------------------


def test_round_trip_gives_identical_predictions(fitted_model, tmp_path, tiny_frame):
    path = save_model(fitted_model, tmp_path / "bundle")
    loaded = load_model(path)
    texts = tiny_frame["text"].tolist()
    np.testing.assert_array_equal(loaded.predict_proba(texts), fitted_model.predict_proba(texts))
    assert loaded.nearest_examples(texts[:2]) == fitted_model.nearest_examples(texts[:2])
    assert list(loaded.classes_) == list(fitted_model.classes_)
    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["format_version"] == 4 and set(manifest["files"]) == set(BUNDLE_FILES)
    assert sorted(p.name for p in path.iterdir()) == sorted([*BUNDLE_FILES, "manifest.json"])
    assert (path / "MODEL_CARD.md").read_text().startswith("# Model card")


@pytest.mark.parametrize(
    "settings",
    [
        {"calibration": "temperature", "char_ngram_range": (3, 5), "registers": False},
        {"calibration": "sigmoid", "registers": True},
        {"calibration": "isotonic", "registers": True},
        {"calibration": "none", "scope_quantile": None, "registers": False},
    ],
    ids=["temperature-char-ngrams", "sigmoid-registers", "isotonic-registers", "uncalibrated-no-scope"],
)
def test_every_layout_and_calibration_round_trips_bit_for_bit(settings, tmp_path, tiny_frame):
    settings = dict(settings)
    registers = REGISTERS if settings.pop("registers") else None
    texts, labels = tiny_frame["text"].tolist() * 2, tiny_frame["label"].tolist() * 2
    model = ITWorkClassifier(encoder=None, **settings).fit(texts, labels, registers=registers)
    loaded = load_model(save_model(model, tmp_path / "bundle"))
    sample = ["Bake bread for the staff party", "printer jammed", "Design the new partner API", "", "vpn\x00down"]
    np.testing.assert_array_equal(loaded.predict_proba(sample), model.predict_proba(sample))
    assert loaded.decide(sample).in_scope.tolist() == model.decide(sample).in_scope.tolist()
    if "char_ngram_range" not in settings:  # decision_terms fails with character n-grams, saved or not
        label = "commodity_outsourceable"
        assert loaded.decision_terms("printer jammed", label) == model.decision_terms("printer jammed", label)


@pytest.mark.parametrize("method", ["temperature", "sigmoid", "isotonic"])
def test_a_two_class_model_from_public_fit_loads_with_its_own_labels(method, tmp_path, tiny_frame):
    """Decision: a bundle declares its classes; a consistent bundle of the user's own labels loads and works."""
    rows = tiny_frame[tiny_frame["label"] != "business_enabling"]
    texts, labels = rows["text"].tolist() * 3, rows["label"].tolist() * 3
    model = ITWorkClassifier(encoder=None, calibration=method, calibration_folds=2).fit(texts, labels)
    loaded = load_model(save_model(model, tmp_path / "bundle"))
    assert loaded.classes_.tolist() == ["commodity_outsourceable", "ktlo"]
    np.testing.assert_array_equal(loaded.predict_proba(texts), model.predict_proba(texts))
    assert loaded.predict(["printer jammed"]) == model.predict(["printer jammed"])


def test_integer_labels_round_trip(tmp_path, tiny_frame):
    codes = {"commodity_outsourceable": 0, "ktlo": 1, "business_enabling": 2}
    model = ITWorkClassifier(encoder=None).fit(tiny_frame["text"].tolist(), [codes[x] for x in tiny_frame["label"]])
    loaded = load_model(save_model(model, tmp_path / "bundle"))
    assert loaded.classes_.tolist() == [0, 1, 2] and loaded.predict(["printer jammed"]) == model.predict(
        ["printer jammed"]
    )


def test_every_fitted_attribute_survives_a_round_trip(tmp_path, tiny_frame):
    texts, labels = tiny_frame["text"].tolist() * 2, tiny_frame["label"].tolist() * 2
    model = ITWorkClassifier(calibration="sigmoid").fit(texts, labels, registers=REGISTERS)
    model.set_review_thresholds({"ktlo": 0.61}).set_label_priors("ticket")
    loaded = load_model(save_model(model, tmp_path / "bundle"))
    for name in FITTED_STATE:
        assert type(getattr(loaded, name)) is type(getattr(model, name)), name
    assert loaded.review_thresholds() == model.review_thresholds() and loaded.review_thresholds()["ktlo"] == 0.61
    assert loaded.calibration_method_ == "sigmoid" and loaded.adapted_registers_ == ("ticket",)
    assert loaded.register_priors_ == model.register_priors_ and loaded.review_tuning_ == model.review_tuning_
    assert loaded.calibration_report_ == model.calibration_report_
    np.testing.assert_array_equal(loaded.label_priors_, model.label_priors_)
    np.testing.assert_array_equal(loaded.oof_probabilities_, model.oof_probabilities_)
    sample = ["Bake bread for the staff party", "printer jammed", "Design the new partner API", ""]
    first, second = model.decide(sample), loaded.decide(sample)
    np.testing.assert_array_equal(first.probabilities, second.probabilities)
    assert first.in_scope.tolist() == second.in_scope.tolist()
    assert first.needs_review.tolist() == second.needs_review.tolist()


def test_the_schema_says_where_every_fitted_attribute_is_kept():
    from classifier.bundle_schema import BUNDLE_FILES as FILES
    from classifier.bundle_schema import STATE_FIELDS

    assert set(STATE_FIELDS) == set(FITTED_STATE) and FILES == BUNDLE_FILES


def test_saving_leaves_the_model_in_memory_unchanged(tmp_path, tiny_frame):
    texts, labels = tiny_frame["text"].tolist(), tiny_frame["label"].tolist()
    model = ITWorkClassifier().fit(texts, labels)
    before = model.decide(texts)
    save_model(model, tmp_path / "bundle")
    after = model.decide(texts)
    np.testing.assert_array_equal(after.probabilities, before.probabilities)
    assert after.in_scope.tolist() == before.in_scope.tolist()
    assert isinstance(model.scope_.vocabulary_, np.ndarray)


# -- overwriting, interruptions ---------------------------------------------------------


def test_existing_bundle_is_not_replaced_without_overwrite(ngram_model, tmp_path):
    path = save_model(ngram_model, tmp_path / "bundle")
    with pytest.raises(OutputExistsError, match="already exists"):
        save_model(ngram_model, path)
    save_model(ngram_model, path, overwrite=True)
    assert load_model(path).predict(["reset my password"]) == ngram_model.predict(["reset my password"])
    assert [p.name for p in tmp_path.iterdir()] == ["bundle"]


def test_interrupted_save_keeps_the_earlier_bundle_whole(ngram_model, bundle, tmp_path, monkeypatch):
    before = {p.name: p.read_bytes() for p in bundle.iterdir()}

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("safetensors.numpy.save_file", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_model(ngram_model, bundle, overwrite=True)
    assert {p.name: p.read_bytes() for p in bundle.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["bundle"]


def _dead_pid():
    pid = 2**22 - 1  # above the default pid_max of 32768 on most systems
    while persistence._process_alive(pid):
        pid -= 1
    return pid


def test_a_save_killed_between_its_two_renames_is_recovered_by_the_next_load(ngram_model, bundle, tmp_path):
    """A SIGKILL after the old bundle was set aside and before the new one took its place."""
    os.replace(bundle, tmp_path / f".bundle.{_dead_pid()}.old")
    with pytest.warns(UserWarning, match="missing after an interrupted save; the earlier bundle was put back"):
        loaded = load_model(bundle)
    assert loaded.predict(["printer jammed"]) == ngram_model.predict(["printer jammed"])
    assert [p.name for p in tmp_path.iterdir()] == ["bundle"]


def test_a_save_killed_between_its_two_renames_is_recovered_by_the_next_save(ngram_model, bundle, tmp_path):
    os.replace(bundle, tmp_path / f".bundle.{_dead_pid()}.old")
    with pytest.warns(UserWarning, match="put back"), pytest.raises(OutputExistsError, match="already exists"):
        save_model(ngram_model, bundle)  # the earlier bundle is back, so without overwrite it is kept
    assert load_model(bundle).predict(["printer jammed"]) == ngram_model.predict(["printer jammed"])


# -- damaged and foreign bundles ----------------------------------------------------------


def test_missing_directory_is_refused(tmp_path):
    with pytest.raises(ModelLoadError, match="not found"):
        load_model(tmp_path / "nope")


def test_tampered_arrays_file_is_refused(bundle):
    with open(bundle / "arrays.safetensors", "ab") as handle:
        handle.write(b"x")
    with pytest.raises(ModelLoadError, match="arrays.safetensors does not match its size and SHA-256"):
        load_model(bundle)


@pytest.mark.parametrize("name", ["card.json", "config.json", "MODEL_CARD.md"])
def test_a_changed_file_is_refused_card_included(bundle, name):
    data = (bundle / name).read_bytes()
    (bundle / name).write_bytes(data.replace(b"e", b"E", 1))
    with pytest.raises(ModelLoadError, match=f"{name} does not match its size and SHA-256 in manifest.json"):
        load_model(bundle)


def test_truncated_arrays_file_is_refused(bundle):
    data = (bundle / "arrays.safetensors").read_bytes()
    (bundle / "arrays.safetensors").write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelLoadError, match="SHA-256"):
        load_model(bundle)


@pytest.mark.parametrize("missing", [*BUNDLE_FILES, "manifest.json"])
def test_incomplete_bundle_is_refused(bundle, missing):
    (bundle / missing).unlink()
    with pytest.raises(ModelLoadError, match=f"{missing} is missing"):
        load_model(bundle)


def test_foreign_format_is_refused(bundle):
    manifest = json.loads((bundle / "manifest.json").read_text())
    (bundle / "manifest.json").write_text(json.dumps({**manifest, "format_version": 99}))
    with pytest.raises(ModelLoadError, match="format 99; this version reads format 4"):
        load_model(bundle)


def test_other_major_library_version_is_refused(bundle):
    _forge(bundle, config=lambda config: config["versions"].update({"scikit-learn": "0.24.2"}))
    with pytest.raises(ModelLoadError, match="written with scikit-learn 0.24.2 but .* is installed"):
        load_model(bundle)


class _Payload:
    """Unpickling this runs code: what a forged model file would try."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (_write_marker, (str(self.marker),))


def _write_marker(path):  # pragma: no cover - must never run
    with open(path, "w") as handle:
        handle.write("code ran")


def test_an_old_format_skops_bundle_is_refused_unread_with_how_to_retrain(tmp_path):
    old = tmp_path / "old"
    old.mkdir()
    marker = tmp_path / "marker"
    (old / "model.skops").write_bytes(pickle.dumps({"call": os.system, "payload": _Payload(marker)}))
    (old / "config.json").write_text(json.dumps({"format_version": 3, "estimator": "ITWorkClassifier"}))
    digest = hashlib.sha256((old / "model.skops").read_bytes()).hexdigest()
    (old / "card.json").write_text(json.dumps({"files": {"model.skops": digest}}))
    retrain = r"format 3 \(model.skops\).*retrain it from its labelled data: `itwork train DATA -o .* --overwrite`"
    with pytest.raises(ModelLoadError, match=retrain):
        load_model(old)
    assert not marker.exists()


def test_a_pickle_posing_as_the_arrays_file_is_refused_and_never_run(bundle, tmp_path):
    marker = tmp_path / "marker"
    (bundle / "arrays.safetensors").write_bytes(pickle.dumps(_Payload(marker)))
    _resign(bundle)
    with pytest.raises(ModelLoadError, match="arrays.safetensors is not a safetensors file"):
        load_model(bundle)
    assert not marker.exists()


def test_a_symlink_in_a_bundle_is_refused(bundle, tmp_path):
    (tmp_path / "card.json").write_bytes((bundle / "card.json").read_bytes())
    (bundle / "card.json").unlink()
    (bundle / "card.json").symlink_to(tmp_path / "card.json")
    with pytest.raises(ModelLoadError, match="card.json is not a regular file"):
        load_model(bundle)


# -- forged values (issue 17, section 1) ----------------------------------------------------


def test_a_vocabulary_index_out_of_range_cannot_be_saved(ngram_model, tmp_path):
    """The forgery of issue 17: one word's column moved past the end; today it segfaults in predict."""
    model = pickle.loads(pickle.dumps(ngram_model))
    vocabulary = model.pipeline_.named_steps["features"].word_.counter_.vocabulary_
    vocabulary[next(iter(vocabulary))] = 10**7
    with pytest.raises(ValueError, match="word vocabulary maps its .* terms to columns that are not 0 to n-1"):
        save_model(model, tmp_path / "bundle")


def test_a_duplicate_vocabulary_index_cannot_be_saved(ngram_model, tmp_path):
    model = pickle.loads(pickle.dumps(ngram_model))
    vocabulary = model.pipeline_.named_steps["features"].word_.counter_.vocabulary_
    first, second = list(vocabulary)[:2]
    vocabulary[second] = vocabulary[first]
    with pytest.raises(ValueError, match="columns that are not 0 to n-1 each once"):
        save_model(model, tmp_path / "bundle")


def test_a_term_past_the_end_of_idf_is_refused(bundle):
    """In a bundle a term's column is its position: a column past the end is a term with no IDF value."""
    _forge(bundle, arrays=lambda a: _set_terms(a, "word.terms", [*_terms(a, "word.terms"), "zzz"]))
    with pytest.raises(ModelLoadError, match=r"word.idf has shape \(\d+,\) but word.terms has \d+ terms"):
        load_model(bundle)


def test_a_duplicate_term_is_refused(bundle):
    def duplicate(arrays):
        terms = _terms(arrays, "word.terms")
        _set_terms(arrays, "word.terms", [terms[0], terms[0], *terms[2:]])

    _forge(bundle, arrays=duplicate)
    with pytest.raises(ModelLoadError, match="word.terms holds the term .* twice"):
        load_model(bundle)


def test_a_missing_idf_is_refused(bundle):
    _forge(bundle, arrays=lambda arrays: arrays.pop("word.idf"))
    with pytest.raises(ModelLoadError, match=r"lacks arrays \['word.idf'\]"):
        load_model(bundle)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("classifier.coef", np.zeros((3, 5), dtype=np.float32), r"classifier.coef has shape \(3, 5\); 3 classes"),
        ("word.idf", np.zeros((2, 2), dtype=np.float32), r"array word.idf is float32 of shape \(2, 2\)"),
        ("scope.weights", np.zeros(3, dtype=np.float32), "array scope.weights is float32 .* must be float64"),
        ("neighbours.labels", np.zeros(3, dtype=np.int64), r"has unexpected arrays \['neighbours.labels'\]"),
    ],
    ids=["coef-width", "idf-dimensions", "weights-dtype", "foreign-array"],
)
def test_arrays_of_the_wrong_shape_or_dtype_are_refused(bundle, name, value, message):
    _forge(bundle, arrays=lambda arrays: arrays.update({name: value}))
    with pytest.raises(ModelLoadError, match=message):
        load_model(bundle)


def test_a_nan_coefficient_is_refused(bundle):
    def poison(arrays):
        arrays["classifier.coef"] = arrays["classifier.coef"].copy()
        arrays["classifier.coef"][0, 0] = np.nan

    _forge(bundle, arrays=poison)
    with pytest.raises(ModelLoadError, match="classifier.coef holds values that are not finite"):
        load_model(bundle)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda c: c["params"].update(n_jobs=64), "field params.n_jobs: Extra inputs are not permitted, got 64"),
        (lambda c: c["params"].update(input="filename"), "field params.input: Extra inputs are not permitted"),
        (lambda c: c["state"].update(analyzer="char"), "field state.analyzer: Extra inputs are not permitted"),
        (lambda c: c["state"]["scope"].update(dtype="object"), "field state.scope.dtype: Extra inputs"),
    ],
    ids=["n_jobs", "input-filename", "analyzer", "dtype"],
)
def test_parameters_smuggled_into_the_config_are_refused(bundle, edit, message):
    _forge(bundle, config=edit)
    with pytest.raises(ModelLoadError, match=message):
        load_model(bundle)


def test_parameters_set_on_fitted_objects_are_not_saved(ngram_model, tmp_path):
    """n_jobs and input= on the inner objects have no place in a bundle: the loaded objects get our defaults."""
    model = pickle.loads(pickle.dumps(ngram_model))
    model.pipeline_.named_steps["classifier"].n_jobs = 64
    model.pipeline_.named_steps["features"].word_.counter_.input = "filename"
    loaded = load_model(save_model(model, tmp_path / "bundle"))
    assert loaded.pipeline_.named_steps["classifier"].n_jobs is None
    assert loaded.pipeline_.named_steps["features"].word_.counter_.input == "content"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda c: c["params"].update(C="ten"), "field params.C: Input should be a valid number, got 'ten'"),
        (lambda c: c["params"].update(min_df="1"), "field params.min_df: Input should be a valid integer, got '1'"),
        (lambda c: c["params"].update(lemmatize=1), "field params.lemmatize: Input should be a valid boolean"),
        (lambda c: c["params"].update(n_neighbors=0), r"params are outside the values .*n_neighbors"),
        (
            lambda c: c["state"]["review_thresholds"].update(ktlo="high"),
            "field state.review_thresholds.ktlo: Input should be a valid number, got 'high'",
        ),
        (
            lambda c: c["state"]["review_thresholds"].update(ktlo=1.5),
            "field state.review_thresholds.ktlo: Input should be less than or equal to 1, got 1.5",
        ),
        (lambda c: c["state"].update(training_priors=[0.5, 0.5, 0.5]), r"state.training_priors sums to 1.5"),
        (lambda c: c["state"].update(training_priors=[0.5, 0.5]), "state.training_priors has 2 values for 3 classes"),
        (
            lambda c: c["state"]["register_priors"]["ticket"].update(ktlo=0.9),
            "state.register_priors.ticket sums to",
        ),
        (lambda c: c.update(classes="ktlo"), "field classes"),
        (lambda c: c["state"].update(calibrator=None), "state.calibrator does not match state.calibration_method"),
    ],
    ids=[
        "C-string", "min_df-string", "bool-as-int", "n_neighbors-range", "threshold-string", "threshold-range",
        "priors-sum", "priors-length", "register-mix-sum", "classes-string", "calibrator-missing",
    ],
)  # fmt: skip
def test_wrong_values_in_a_re_signed_config_are_one_clear_error(bundle, edit, message):
    _forge(bundle, config=edit)
    with pytest.raises(ModelLoadError, match=message):
        load_model(bundle)


def test_declared_classes_that_disagree_with_the_arrays_are_refused(tmp_path, tiny_frame):
    """A two-class model relabelled as the three codebook labels: the coefficients give it away."""
    rows = tiny_frame[tiny_frame["label"] != "business_enabling"]
    model = ITWorkClassifier(encoder=None, calibration="none").fit(rows["text"].tolist(), rows["label"].tolist())
    path = save_model(model, tmp_path / "bundle")

    def relabel(config):
        config["classes"] = ["business_enabling", "commodity_outsourceable", "ktlo"]

    _forge(path, config=relabel)
    with pytest.raises(ModelLoadError, match=r"classifier.coef has shape \(1, \d+\); 3 classes .* need \(3, \d+\)"):
        load_model(path)


def test_unsorted_or_repeated_classes_are_refused(bundle):
    _forge(bundle, config=lambda c: c.update(classes=["ktlo", "ktlo", "business_enabling"]))
    with pytest.raises(ModelLoadError, match="classes must be distinct and sorted"):
        load_model(bundle)


# -- sizes capped before parsing ---------------------------------------------------------------


def _sparse(path, size):
    with open(path, "wb") as handle:
        handle.truncate(size)


def test_a_600_mb_card_is_refused_before_it_is_read(bundle):
    _sparse(bundle / "card.json", 600_000_000)  # sparse: no disk used
    with pytest.raises(ModelLoadError, match="card.json has 600,000,000 bytes, more than the 4,194,304"):
        load_model(bundle)


def test_a_huge_config_is_refused_before_it_is_parsed(bundle):
    _sparse(bundle / "config.json", 1_500_000_000)
    with pytest.raises(ModelLoadError, match="config.json has 1,500,000,000 bytes, more than"):
        load_model(bundle)


def test_a_config_over_a_small_cap_is_refused(bundle, monkeypatch):
    monkeypatch.setitem(persistence.MAX_FILE_BYTES, "config.json", 100)
    with pytest.raises(ModelLoadError, match=r"config.json has [\d,]+ bytes, more than the 100 a bundle may hold"):
        load_model(bundle)


def test_a_huge_arrays_header_is_refused_before_it_is_parsed(bundle):
    """safetensors' header is JSON: one that claims 1.5 GB (the issue's schema.json) is refused unread."""
    (bundle / "arrays.safetensors").write_bytes((1_500_000_000).to_bytes(8, "little") + b" " * 100)
    _resign(bundle)
    with pytest.raises(ModelLoadError, match="not a safetensors file with a header of at most 1,048,576 bytes"):
        load_model(bundle)


def test_an_array_over_its_cap_is_refused_before_it_is_read(bundle, monkeypatch):
    monkeypatch.setattr(persistence, "MAX_ARRAY_BYTES", 1000)
    with pytest.raises(ModelLoadError, match=r"array \S+ has [\d,]+ bytes, more than 1,000"):
        load_model(bundle)


def test_a_card_that_is_not_an_object_is_refused(bundle):
    (bundle / "card.json").write_text("[1, 2]")
    _resign(bundle)
    with pytest.raises(ModelLoadError, match="card.json does not hold a JSON object"):
        load_model(bundle)


def test_an_encoder_digest_this_version_does_not_pin_is_refused(fitted_model, tmp_path):
    path = save_model(fitted_model, tmp_path / "bundle")
    _forge(path, config=lambda c: c["state"]["encoder_files"].update(onnx="0" * 64))
    with pytest.raises(ModelLoadError, match="which this version of it-work-classifier does not pin"):
        load_model(path)


def test_an_unknown_encoder_is_refused(fitted_model, tmp_path):
    path = save_model(fitted_model, tmp_path / "bundle")
    _forge(path, config=lambda c: c["params"].update(encoder="../../evil"))
    with pytest.raises(ModelLoadError, match="params are outside the values ITWorkClassifier accepts: .*encoder"):
        load_model(path)


def test_a_bundle_saved_before_max_text_chars_existed_loads_with_its_default(bundle, ngram_model):
    config = json.loads((bundle / "config.json").read_text())
    del config["params"]["max_text_chars"]
    (bundle / "config.json").write_text(json.dumps(config))
    _resign(bundle)
    assert load_model(bundle).max_text_chars == ITWorkClassifier().max_text_chars
    del config["params"]["C"]  # any other parameter is still required
    (bundle / "config.json").write_text(json.dumps(config))
    _resign(bundle)
    with pytest.raises(ModelLoadError, match=r"field params\.C: Field required"):
        load_model(bundle)


@pytest.mark.parametrize(
    ("mask", "file_mode", "directory_mode"), [(0o022, 0o644, 0o755), (0o027, 0o640, 0o750)], ids=["022", "027"]
)
def test_a_bundle_follows_the_umask_as_open_and_mkdir_would(ngram_model, tmp_path, mask, file_mode, directory_mode):
    previous = os.umask(mask)
    try:
        path = save_model(ngram_model, tmp_path / "bundle")
    finally:
        os.umask(previous)
    assert path.stat().st_mode & 0o777 == directory_mode
    assert {file.stat().st_mode & 0o777 for file in path.iterdir()} == {file_mode}
