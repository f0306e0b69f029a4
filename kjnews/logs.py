"""Logs as one JSON object per line, each carrying the id of the request it was written in.

The application's log (settings.LOGGING) and gunicorn's error and access logs
(kjnews.gunicorn_logging) use `JsonFormatter`. `json.dumps` escapes every quote, backslash and
control character, and with `ensure_ascii` every non-ASCII one too (U+2028 and NEL included, which
some tools read as line breaks), so nothing a reader sends, in a path or anywhere else, can end a
line or start a forged one. Only named fields are written: other attributes of a record, such as
the `request` Django attaches to its errors (with cookies and headers), never are.
"""

import contextvars
import datetime
import json
import logging
import re
import uuid

# The id of the request being handled in this thread, for every record written meanwhile.
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
REQUEST_ID_HEADER = "X-Request-ID"
# What we accept from a trusted proxy as a request id: nginx's $request_id (32 hex digits), a
# UUID, or a similar token. Anything else is replaced by an id of our own.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def request_id_new() -> str:
    return uuid.uuid4().hex


def request_id_or_new(offered: str | None) -> str:
    return offered if offered and SAFE_REQUEST_ID.fullmatch(offered) else request_id_new()


class JsonFormatter(logging.Formatter):
    """time, level, logger, message, the request id, the record's `fields` and any exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=True, default=str)
