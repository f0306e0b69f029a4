"""Many database clients at the same moment, one thread and one connection each."""

import threading

from django.db import close_old_connections, connection


def all_at_once(work, count: int, *, timeout: float) -> list[Exception]:
    """Run `work(index)` in `count` threads released together; the errors they raised."""
    start = threading.Barrier(count)
    errors = []

    def run(index):
        start.wait()
        try:
            work(index)
        except Exception as error:  # returned to the test, which shows them
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return errors
