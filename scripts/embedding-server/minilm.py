"""all-MiniLM-L6-v2 (a 6-layer BERT + mean pooling + L2 norm) in numpy, without torch.

Reproduces sentence-transformers' output to ~1e-6 (checked against reference vectors in
test/fixtures/minilm-reference.json). The traps, each of which moves vectors by 1e-4 or more:
the tokenizer.json that ships truncates and pads at 128 (the model's max_seq_length is 256);
token type 0's embedding is added; linear weights are stored (out, in); LayerNorm eps is 1e-12;
GELU is the exact erf form, not the tanh approximation.
"""

import json
import math
import os

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

def _gelu(x):
    # Exact GELU, 0.5·x·(1 + erf(x/√2)); the tanh approximation is off by ~5e-4.
    return 0.5 * x * (1.0 + _erf(x * np.float32(1.0 / math.sqrt(2.0))))


def _erf(x):
    # Abramowitz & Stegun 7.1.26: absolute error below 1.5e-7, under float32's resolution,
    # and vectorised (math.erf element by element costs ~0.5 s per 256-token text).
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return np.sign(x) * (1.0 - poly * np.exp(-a * a))


def _layer_norm(x, weight, bias, eps):
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


class MiniLM:
    """The model loaded from an unpacked sentence-transformers folder (config.json,
    tokenizer.json, model.safetensors, sentence_bert_config.json)."""

    def __init__(self, folder):
        with open(os.path.join(folder, "config.json")) as f:
            config = json.load(f)
        max_seq = 256
        sbert = os.path.join(folder, "sentence_bert_config.json")
        if os.path.exists(sbert):
            with open(sbert) as f:
                max_seq = json.load(f).get("max_seq_length", max_seq)
        self.dimension = config["hidden_size"]
        self.heads = config["num_attention_heads"]
        self.layers = config["num_hidden_layers"]
        self.eps = config.get("layer_norm_eps", 1e-12)
        self.max_seq = max_seq
        self.tokenizer = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=max_seq)
        w = {k.removeprefix("bert."): v.astype(np.float32) for k, v in load_file(os.path.join(folder, "model.safetensors")).items()}
        self.w = w
        # Linear weights are (out, in): transpose once so every call is x @ W.
        for name in list(w):
            if name.endswith(".weight") and w[name].ndim == 2 and "embeddings" not in name:
                w[name] = np.ascontiguousarray(w[name].T)

    def token_count(self, text):
        """Tokens the model sees for `text` (after truncation), [CLS] and [SEP] included."""
        return len(self.tokenizer.encode(text).ids)

    def embed(self, text):
        """The unit-length sentence embedding of one text (float32, `dimension` long)."""
        ids = np.array(self.tokenizer.encode(text).ids, dtype=np.int64)
        w = self.w
        e = "embeddings."
        x = w[e + "word_embeddings.weight"][ids] + w[e + "position_embeddings.weight"][: len(ids)] + w[e + "token_type_embeddings.weight"][0]
        x = _layer_norm(x, w[e + "LayerNorm.weight"], w[e + "LayerNorm.bias"], self.eps)
        for i in range(self.layers):
            x = self._layer(x, f"encoder.layer.{i}.")
        # No padding, so the mean over all tokens is the mean over the attention mask.
        pooled = x.mean(axis=0)
        return pooled / max(float(np.linalg.norm(pooled)), 1e-12)

    def _layer(self, x, p):
        w = self.w
        length, hidden = x.shape
        size = hidden // self.heads
        a = p + "attention."
        q = (x @ w[a + "self.query.weight"] + w[a + "self.query.bias"]).reshape(length, self.heads, size).transpose(1, 0, 2)
        k = (x @ w[a + "self.key.weight"] + w[a + "self.key.bias"]).reshape(length, self.heads, size).transpose(1, 0, 2)
        v = (x @ w[a + "self.value.weight"] + w[a + "self.value.bias"]).reshape(length, self.heads, size).transpose(1, 0, 2)
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(size)
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        scores /= scores.sum(axis=-1, keepdims=True)
        context = (scores @ v).transpose(1, 0, 2).reshape(length, hidden)
        attended = context @ w[a + "output.dense.weight"] + w[a + "output.dense.bias"]
        x = _layer_norm(attended + x, w[a + "output.LayerNorm.weight"], w[a + "output.LayerNorm.bias"], self.eps)
        inner = _gelu(x @ w[p + "intermediate.dense.weight"] + w[p + "intermediate.dense.bias"])
        out = inner @ w[p + "output.dense.weight"] + w[p + "output.dense.bias"]
        return _layer_norm(out + x, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], self.eps)
