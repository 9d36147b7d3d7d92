"""Runs a request's rows on worker threads shared by all requests, and stops when its client leaves.

A model row holds the GIL only briefly (onnxruntime releases it), so a few threads share the
cores. The request's own thread waits for its rows and, between them, checks whether its
client closed the connection; if so the rows not yet started are skipped and Abandoned is
raised. Counters of computed and skipped rows are kept per kind for /stats.
"""

import select
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

POLL_SECONDS = 0.05


class Abandoned(Exception):
    """The client disconnected before its rows were done."""


def client_gone(connection):
    """True when the peer has closed its side (the socket reads end-of-file). A request that
    pipelines more data keeps the connection alive: only an EOF counts."""
    try:
        readable, _, _ = select.select([connection], [], [], 0)
        if not readable:
            return False
        return connection.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):
        return True


class RowPool:
    def __init__(self, workers):
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="row")
        self.lock = threading.Lock()
        self.counts = {"embedded": 0, "reranked": 0, "skipped": 0, "abandoned_requests": 0}

    def stats(self):
        with self.lock:
            # CPU time of the whole process: rows per CPU-second hold even on a loaded machine.
            return {**self.counts, "cpu_seconds": round(time.process_time(), 3)}

    def _count(self, key, n=1):
        with self.lock:
            self.counts[key] += n

    def run(self, kind, rows, connection):
        """Results of `rows` (callables), in order; Abandoned when the client leaves first."""
        cancelled = threading.Event()

        def task(row):
            if cancelled.is_set():
                self._count("skipped")
                return None
            result = row()
            self._count(kind)
            return result

        futures = [self.executor.submit(task, row) for row in rows]
        results = []
        for future in futures:
            while True:
                try:
                    results.append(future.result(timeout=POLL_SECONDS))
                    done = True
                except FutureTimeout:
                    done = False
                if len(results) < len(futures) and client_gone(connection):
                    cancelled.set()
                    # Counted once the rows already running are done, so /stats is final then.
                    for f in futures:
                        f.exception()
                    self._count("abandoned_requests")
                    raise Abandoned()
                if done:
                    break
        return results
