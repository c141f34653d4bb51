"""Running jobs at the same moment on separate database connections."""

import threading

from django.db import connections


def run_together(*jobs):
    """Start every job in its own thread (its own connection and transaction) at one
    barrier; return ``("ok", result)`` or ``("error", exception)`` for each, in order."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def runner(i, job):
        try:
            barrier.wait(timeout=10)
            results[i] = ("ok", job())
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread raised
            results[i] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results
