"""The application's log: one JSON object per line with the request's id; nothing a reader sends
can forge a line, and no query string, cookie or address is written."""

import io
import json
import logging
import sys

import pytest

from kjnews.logs import JsonFormatter

pytestmark = pytest.mark.django_db


@pytest.fixture
def log():
    """What the application's log handler writes while the test runs, line by line."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda: stream.getvalue().splitlines()
    root.removeHandler(handler)
    root.setLevel(level)


def request_line(log):
    [line] = [json.loads(text) for text in log() if '"kjnews.requests"' in text]
    return line


def test_each_request_is_one_json_line_with_its_id_method_path_status_and_duration(client, log):
    response = client.get("/?q=読者の検索語", HTTP_COOKIE="sessionid=secret-cookie-value")

    line = request_line(log)
    assert line["request_id"] == response["X-Request-ID"]
    assert len(response["X-Request-ID"]) == 32
    assert (line["method"], line["path"], line["status"]) == ("GET", "/", 200)
    assert line["duration_ms"] >= 0
    assert "読者" not in json.dumps(line, ensure_ascii=False)
    assert "secret-cookie-value" not in "".join(log())
    assert "127.0.0.1" not in "".join(log())


def test_a_path_holding_a_newline_and_json_cannot_forge_a_line(client, log):
    client.get('/articles/x%0A{"forged":%20true}%E2%80%A8{"forged":%20true}/')

    written = log()
    assert len(written) == 2  # the request line and Django's "Not Found"
    for text in written:
        assert text.isascii()
        assert len(text.splitlines()) == 1
        assert "forged" not in json.loads(text)
    assert request_line(log)["path"] == '/articles/x\n{"forged": true}\u2028{"forged": true}/'


def test_every_line_logged_while_answering_carries_the_requests_id(client, log):
    response = client.get("/no-such-page/")

    ids = {json.loads(text).get("request_id") for text in log()}
    assert ids == {response["X-Request-ID"]}


def test_a_trusted_proxys_request_id_is_kept_so_both_logs_name_the_request_alike(client, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]

    response = client.get("/", HTTP_X_REQUEST_ID="5f0c1e9d2b7a4c3e8d6f1a2b3c4d5e6f")

    assert response["X-Request-ID"] == "5f0c1e9d2b7a4c3e8d6f1a2b3c4d5e6f"


@pytest.mark.parametrize("offered", ['x"}\n{"forged": true', "a" * 200, "<script>"])
def test_a_request_id_that_is_not_a_plain_token_is_replaced(client, settings, offered):
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]

    response = client.get("/", HTTP_X_REQUEST_ID=offered)

    assert response["X-Request-ID"] != offered
    assert len(response["X-Request-ID"]) == 32


def test_a_reader_cannot_choose_the_request_id_without_a_trusted_proxy(client, settings):
    settings.TRUSTED_PROXIES = []

    response = client.get("/", HTTP_X_REQUEST_ID="chosen-by-the-reader")

    assert response["X-Request-ID"] != "chosen-by-the-reader"


def test_probes_are_logged_only_at_debug(client, log):
    client.get("/healthz")

    assert log() == []


def test_an_exception_is_one_line_and_leaves_out_the_request_django_attaches():
    try:
        raise ValueError("a line\nbreak in the message")
    except ValueError:
        record = logging.makeLogRecord(
            {
                "name": "django.request",
                "levelno": logging.ERROR,
                "levelname": "ERROR",
                "msg": "Internal Server Error: %s",
                "args": ("/articles/x/",),
                "exc_info": sys.exc_info(),
                "request": "<WSGIRequest Cookie: sessionid=secret-cookie-value>",
            }
        )

    text = JsonFormatter().format(record)

    assert len(text.splitlines()) == 1
    entry = json.loads(text)
    assert "ValueError: a line\nbreak in the message" in entry["exception"]
    assert "secret-cookie-value" not in text
