"""The eval's anchor: plain BM25 from bm25s (English stop words, Snowball stemmer) over the
same documents recall was given, so every system is scored by the same TypeScript metrics.

    python bm25-anchor.py < {"docs": [{"id", "text"}], "queries": [{"id", "text"}], "k": 100}
    → {"run": {query_id: [[doc_id, score], ...best first]}, "index_ms", "search_ms",
       "versions": {...}}
"""

import json
import sys
import time
from importlib.metadata import version

import bm25s
import Stemmer


def main():
    job = json.load(sys.stdin)
    docs, queries = job["docs"], job["queries"]
    k = min(int(job.get("k", 100)), len(docs))
    stemmer = Stemmer.Stemmer("english")
    started = time.perf_counter()
    corpus_tokens = bm25s.tokenize([d["text"] for d in docs], stopwords="en", stemmer=stemmer, show_progress=False)
    if not corpus_tokens.vocab:
        # Nothing but stop words (bm25s cannot index an empty vocabulary): nothing is retrieved.
        return json.dump({"run": {q["id"]: [] for q in queries}, "index_ms": 0, "search_ms": 0, "versions": {}}, sys.stdout)
    retriever = bm25s.BM25()
    retriever.index(corpus_tokens, show_progress=False)
    indexed = time.perf_counter()
    query_tokens = bm25s.tokenize([q["text"] for q in queries], stopwords="en", stemmer=stemmer, show_progress=False)
    results, scores = retriever.retrieve(query_tokens, k=k, show_progress=False, n_threads=1)
    searched = time.perf_counter()
    run = {}
    for row, query in enumerate(queries):
        # Documents with score 0 share no term with the query: not retrieved, as in any BM25 engine.
        run[query["id"]] = [[docs[int(i)]["id"], float(s)] for i, s in zip(results[row], scores[row]) if s > 0]
    json.dump(
        {
            "run": run,
            "index_ms": (indexed - started) * 1000,
            "search_ms": (searched - indexed) * 1000,
            "versions": {"bm25s": bm25s.__version__, "PyStemmer": version("PyStemmer")},
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
