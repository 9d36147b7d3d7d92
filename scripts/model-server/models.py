"""bge-small-en-v1.5 (embeddings) and ms-marco-MiniLM-L-12-v2 (cross-encoder) as int8 ONNX files,
run with onnxruntime and tokenizers, without torch.

Both files are dynamically quantised: each MatMul quantises its activations with a scale
computed over the whole input tensor, so a row's result moves (by ~0.1 logit) with whatever
else shares its batch and with its padding. Every row therefore runs alone, unpadded: a text's
vector and a pair's score depend on that text or pair only. Measured on 2 shared cores,
that is also the fastest way to run them (see docs/models.md): padded batches waste work
on padding, and a dequantised fp32 graph is ~5× slower than the int8 one.
"""

import os

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

MAX_TOKENS = 512


def _session(path):
    options = ort.SessionOptions()
    # One thread per run: the server's workers run rows side by side instead (faster on 2 cores).
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def _tokenizer(folder, strategy="longest_first"):
    tokenizer = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
    # The reranker's tokenizer.json pads every input to 512 tokens: rows run unpadded here.
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=MAX_TOKENS, strategy=strategy)
    return tokenizer


def _feed(encoding):
    as_row = lambda values: np.asarray([values], dtype=np.int64)  # noqa: E731
    return {
        "input_ids": as_row(encoding.ids),
        "attention_mask": as_row(encoding.attention_mask),
        "token_type_ids": as_row(encoding.type_ids),
    }


class BgeSmall:
    """bge-small-en-v1.5: the [CLS] vector of the last hidden state, L2-normalised (384-d).
    Queries want the instruction prefix; adding it is the client's business."""

    name = "bge-small-en-v1.5"
    dimension = 384

    def __init__(self, folder):
        self.session = _session(os.path.join(folder, "model.onnx"))
        self.tokenizer = _tokenizer(folder)

    def encode(self, text):
        return self.tokenizer.encode(text)

    def embed(self, encoding):
        (hidden,) = self.session.run(["last_hidden_state"], _feed(encoding))
        cls = hidden[0, 0, :].astype(np.float64)
        return cls / max(np.linalg.norm(cls), 1e-12)


class CrossEncoder:
    """ms-marco-MiniLM-L-12-v2: one logit per (query, passage) pair, passages truncated so the
    pair fits 512 tokens (the query is kept whole)."""

    name = "cross-encoder/ms-marco-MiniLM-L-12-v2"

    def __init__(self, folder):
        self.session = _session(os.path.join(folder, "model.onnx"))
        self.tokenizer = _tokenizer(folder, "only_second")
        self.untruncated = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
        self.untruncated.no_padding()
        self.untruncated.no_truncation()
        # A query too long for only_second to make room: truncate both sides instead.
        self.fallback = _tokenizer(folder, "longest_first")

    def encode(self, query, text, truncate=True):
        """The pair's encoding; None when `truncate` is false and the pair is too long."""
        if not truncate:
            encoding = self.untruncated.encode(query, text)
            return encoding if len(encoding.ids) <= MAX_TOKENS else None
        try:
            return self.tokenizer.encode(query, text)
        except Exception:  # tokenizers raises when the query alone passes the limit
            return self.fallback.encode(query, text)

    def score(self, encoding):
        (logits,) = self.session.run(["logits"], _feed(encoding))
        return float(logits[0, 0])
