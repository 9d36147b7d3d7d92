"""Measures a running model server the way recall calls it, on texts of a real collection.

    python throughput.py --url http://127.0.0.1:8090 --docs FILE [--queries FILE]

FILE: the Cranfield collection (cran.all.1400, cran.qry) or any text file whose paragraphs are
documents. Embeddings: 256 documents in requests of 64, 4 in flight (recall's HTTP embedder
defaults), then 50 single queries one after another. Rerank: 10 queries, each against 32
documents in one request (a rerank depth of 32). Prints rows per second and latencies; the
machine's load average is printed beside them, since these cores are shared, and so is the
server's CPU time per row (from /stats), which a loaded machine moves much less.
"""

import argparse
import json
import os
import re
import statistics
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor


def post(url, body):
    request = urllib.request.Request(url, json.dumps(body).encode(), {"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=600) as response:
        return json.load(response)


def cpu(url):
    with urllib.request.urlopen(f"{url}/stats", timeout=10) as response:
        return json.load(response)["cpu_seconds"]


def records(path):
    text = open(path, encoding="utf-8", errors="replace").read()
    if ".W" in text:  # the SMART format of Cranfield, MED, CACM: the text after each .W
        parts = [p.split(".W", 1)[1] for p in re.split(r"^\.I ", text, flags=re.M)[1:] if ".W" in p]
    else:
        parts = text.split("\n\n")
    return [re.sub(r"\s+", " ", p).strip() for p in parts if p.strip()]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--docs", required=True)
    parser.add_argument("--queries")
    args = parser.parse_args()
    docs = records(args.docs)[:256]
    queries = records(args.queries)[:50] if args.queries else [d[:80] for d in docs[:50]]
    words = statistics.mean(len(d.split()) for d in docs)
    print(f"load average before: {os.getloadavg()[0]:.2f}; {len(docs)} documents of {words:.0f} words on average")

    start, cpu_start = time.perf_counter(), cpu(args.url)
    batches = [docs[i : i + 64] for i in range(0, len(docs), 64)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda b: post(f"{args.url}/v1/embeddings", {"input": b}), batches))
    seconds = time.perf_counter() - start
    per_doc = (cpu(args.url) - cpu_start) / len(docs) * 1000
    print(f"documents embedded: {len(docs) / seconds:.1f}/s ({seconds:.1f} s), {per_doc:.0f} CPU-ms each")

    latencies = []
    for q in queries:
        t = time.perf_counter()
        post(f"{args.url}/v1/embeddings", {"input": [q]})
        latencies.append((time.perf_counter() - t) * 1000)
    print(f"one query embedded: p50 {statistics.median(latencies):.0f} ms, {len(queries) / (sum(latencies) / 1000):.1f}/s")

    latencies, cpu_start = [], cpu(args.url)
    for i, q in enumerate(queries[:10]):
        texts = docs[i * 20 : i * 20 + 32]
        t = time.perf_counter()
        post(f"{args.url}/rerank", {"query": q, "texts": texts, "truncate": True})
        latencies.append(time.perf_counter() - t)
    per_pair = (cpu(args.url) - cpu_start) / 320 * 1000
    print(f"pairs reranked: {320 / sum(latencies):.1f}/s, {per_pair:.0f} CPU-ms each; "
          f"32 pairs per request: p50 {statistics.median(latencies) * 1000:.0f} ms")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
