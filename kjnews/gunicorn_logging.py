"""gunicorn's logs as JSON lines (`logger_class` in gunicorn.conf.py).

gunicorn's own `access_log_format` cannot make JSON that a reader cannot break: it escapes double
quotes and nothing else, so a path with an encoded newline or backslash would end or corrupt a
line. This logger writes the same fields as the application's request line through
`kjnews.logs.JsonFormatter`: the request id (the X-Request-ID the application answered with),
method, path without its query string (which may carry what a reader searched for), status,
duration and bytes sent. No address, no query string, no header and no cookie is logged, unless
ACCESS_LOG_ADDRESSES is on: then the client's address (as kjnews.proxies finds it) is added.
Probes (/healthz, /readyz) are not logged here. gunicorn's own error log is JSON too, and the
sender's address and query strings are taken out of the two messages of its that carry them.
"""

import logging
import re

from gunicorn.glogging import Logger

from kjnews.logs import JsonFormatter

PROBE_PATHS = {"/healthz", "/readyz"}


class GunicornLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(JsonFormatter())
                handler.addFilter(_withhold_personal_data)

    def access(self, resp, req, environ, request_time):
        # A balancer's probes every few seconds would bury the requests (nginx skips them too).
        if not self.access_log_enabled or environ.get("PATH_INFO") in PROBE_PATHS:
            return
        status = resp.status
        if isinstance(status, str):
            status = status.split(None, 1)[0]
        headers = dict((name.lower(), value) for name, value in resp.headers)
        method = environ.get("REQUEST_METHOD", "")
        path = environ.get("PATH_INFO", "")
        fields = {
            "request_id": headers.get("x-request-id", ""),
            "method": method,
            "path": path,
            "status": int(status),
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "bytes": getattr(resp, "sent", None),
        }
        if _addresses_wanted():
            fields["client"] = _client(environ)
        self.access_log.info("%s %s %s", method, path, status, extra={"fields": fields})


# gunicorn's own messages that carry a reader's address or a whole request line.
_INVALID_REQUEST = re.compile(r"^(Invalid request from ip=)(.*?)(: )", re.S)
_ERROR_HANDLING = "Error handling request"


def _withhold_personal_data(record: logging.LogRecord) -> bool:
    """gunicorn names the sender of a request it cannot parse, and logs the whole URI (query
    string included) of one that failed: keep the first only with ACCESS_LOG_ADDRESSES, and
    never the query string."""
    if not isinstance(record.msg, str):
        return True
    if record.msg.startswith("Invalid request from ip=") and not _addresses_wanted():
        record.msg = _INVALID_REQUEST.sub(r"\1[withheld]\3", record.msg)
    elif record.msg.startswith(_ERROR_HANDLING) and isinstance(record.args, tuple):
        record.args = tuple(
            arg.partition("?")[0] if isinstance(arg, str) else arg for arg in record.args
        )
    return True


def _addresses_wanted() -> bool:
    # Read from the application's settings (and so from .env), loaded before any request.
    from django.conf import settings

    return settings.configured and getattr(settings, "ACCESS_LOG_ADDRESSES", False)


def _client(environ) -> str:
    from kjnews.proxies import client_address, trusted_networks

    address = client_address(
        environ.get("REMOTE_ADDR", ""),
        environ.get("HTTP_X_FORWARDED_FOR", ""),
        trusted_networks(),
    )
    return "unidentified" if address is None else str(address)
