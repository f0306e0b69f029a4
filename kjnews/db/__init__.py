"""Where reads go when PostgreSQL read replicas are configured (`DATABASE_REPLICA_URLS`).

Reads go to the primary unless the current request was let onto a replica by
`kjnews.middleware.ReplicaReadsMiddleware` (a reader's GET or HEAD page): management commands,
shells, writes, the admin and moderation never see a replica. The state lives in a context
variable, so it belongs to one request however the server runs it.

`primary_reads()` forces primary reads inside a block, for code that must not render stale data
(a page rendered into a shared cache, say).
"""

import contextlib
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass
class ReplicaReads:
    """A request allowed to read from a replica; `alias` is the one chosen, once a read asks."""

    alias: str | None = None


_replica_reads: ContextVar[ReplicaReads | None] = ContextVar("kjnews_replica_reads", default=None)


def replica_reads_allowed() -> ReplicaReads | None:
    """The current request's replica choice, or None when its reads must go to the primary."""
    return _replica_reads.get()


@contextlib.contextmanager
def replica_reads():
    """Lets the reads inside the block go to a replica (one replica for the whole block)."""
    token = _replica_reads.set(ReplicaReads())
    try:
        yield
    finally:
        _replica_reads.reset(token)


@contextlib.contextmanager
def primary_reads():
    """Every read inside the block goes to the primary, replicas or not."""
    token = _replica_reads.set(None)
    try:
        yield
    finally:
        _replica_reads.reset(token)
