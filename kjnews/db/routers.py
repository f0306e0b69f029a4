"""Primary and read replicas: writes and migrations on the primary, readers' pages on a replica.

Installed only when `DATABASE_REPLICA_URLS` names replicas (settings add `replica1`, `replica2`, …
beside `default`). Which requests may read from a replica is decided per request (`kjnews.db`,
`ReplicaReadsMiddleware`); this router only carries it out:

- every write goes to the primary, and so does every read outside a request that allows replicas,
  and every read inside a transaction on the primary (it must see its own writes);
- a request that allows replicas reads from one replica throughout, picked at random among those
  that answer; a replica that does not answer is left alone for `REPLICA_RETRY_SECONDS` by this
  process, and its readers read from the primary meanwhile, so losing a replica costs no page.
"""

import logging
import random
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from kjnews.db import replica_reads_allowed

logger = logging.getLogger(__name__)


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica")]


class _Unanswering:
    """When each replica that failed to connect may be tried again, in this process."""

    def __init__(self):
        self.until: dict[str, float] = {}

    def skipped(self, alias: str) -> bool:
        return time.monotonic() < self.until.get(alias, 0.0)

    def trip(self, alias: str, error: Exception) -> None:
        if alias not in self.until:
            logger.warning(
                "Read replica %s unavailable (%s); reading from the primary", alias, error
            )
        self.until[alias] = time.monotonic() + settings.REPLICA_RETRY_SECONDS

    def clear(self, alias: str) -> None:
        if self.until.pop(alias, None) is not None:
            logger.warning("Read replica %s answers again", alias)


_unanswering = _Unanswering()


def replica_answers(alias: str) -> bool:
    """Whether `alias` can serve this request: its kept connection passes the health check, or a
    new one opens. A failure marks the replica as unanswering for a while."""
    if _unanswering.skipped(alias):
        return False
    connection = connections[alias]
    try:
        connection.close_if_health_check_failed()
        connection.ensure_connection()
    except DatabaseError as error:
        connection.close()
        _unanswering.trip(alias, error)
        return False
    _unanswering.clear(alias)
    return True


class PrimaryReplicaRouter:
    def __init__(self):
        self.replicas = replica_aliases()

    def db_for_read(self, model, **hints):
        request = replica_reads_allowed()
        if request is None or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        if request.alias is None:
            candidates = random.sample(self.replicas, len(self.replicas))
            request.alias = next(
                (alias for alias in candidates if replica_answers(alias)), DEFAULT_DB_ALIAS
            )
        return request.alias

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # Every alias holds the same data: a replica's rows may relate to the primary's.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
