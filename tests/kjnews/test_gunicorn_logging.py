"""gunicorn's access log as JSON lines: no address unless the operator turns addresses on.
gunicorn's own logger class, with gunicorn's own configuration, writing to a file; no database."""

import datetime
import json
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from kjnews.gunicorn_logging import GunicornLogger


@pytest.fixture
def gunicorn_logger(tmp_path):
    config = Config()
    config.set("accesslog", str(tmp_path / "access.log"))
    config.set("errorlog", str(tmp_path / "error.log"))
    logger = GunicornLogger(config)
    yield logger
    for handler in logger.access_log.handlers + logger.error_log.handlers:
        handler.close()


def written(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture
def access_log(gunicorn_logger, tmp_path):
    logger = gunicorn_logger
    path = tmp_path / "access.log"

    def write(environ):
        response = SimpleNamespace(
            status="404 Not Found", headers=[("X-Request-ID", "abc123")], sent=1234
        )
        request = SimpleNamespace(headers=[("USER-AGENT", "secret-agent")])
        logger.access(response, request, environ, datetime.timedelta(milliseconds=12.3))
        for handler in logger.access_log.handlers:
            handler.flush()
        return written(path)

    return write


def environ(**values):
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": '/a\n{"forged": true}',
        "QUERY_STRING": "q=secret-search",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_X_FORWARDED_FOR": "203.0.113.9",
        "HTTP_USER_AGENT": "secret-agent",
        **values,
    }


def test_an_access_line_holds_the_request_without_address_query_or_headers(access_log):
    [line] = access_log(environ())

    assert line["request_id"] == "abc123"
    assert (line["method"], line["path"], line["status"]) == ("GET", '/a\n{"forged": true}', 404)
    assert (line["duration_ms"], line["bytes"]) == (12.3, 1234)
    text = json.dumps(line)
    for private in ("127.0.0.1", "203.0.113.9", "secret-search", "secret-agent"):
        assert private not in text


def test_with_addresses_on_the_line_names_the_client_behind_the_trusted_proxy(access_log, settings):
    settings.ACCESS_LOG_ADDRESSES = True
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]

    [line] = access_log(environ())

    assert line["client"] == "203.0.113.9"


def test_gunicorns_own_messages_leave_out_the_senders_address_and_query_strings(
    gunicorn_logger, tmp_path
):
    gunicorn_logger.warning("Invalid request from ip=2001:db8::7: Invalid HTTP method: 'X'")
    try:
        raise RuntimeError("worker failure")
    except RuntimeError:
        gunicorn_logger.exception("Error handling request %s %s", "GET", "/a/?q=secret-search")

    invalid, failure = written(tmp_path / "error.log")
    assert invalid["message"] == "Invalid request from ip=[withheld]: Invalid HTTP method: 'X'"
    assert failure["message"] == "Error handling request GET /a/"
    assert "RuntimeError: worker failure" in failure["exception"]
