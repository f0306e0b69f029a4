"""What a live gunicorn writes: one JSON object per line, whatever a reader sends, and no query
string, cookie, header or address. Requests go over raw sockets where a client library would
refuse to send them."""

import json
import socket

import pytest

from tests.servers import Reader

PRIVATE = ("secret-search", "secret-cookie", "secret-agent", "127.1.7.")


@pytest.fixture
def site(start_site, test_database_url, redis_server):
    return start_site(
        database_url=test_database_url, cache_url=redis_server.url(), workers=1, LOG_LEVEL="INFO"
    )


def raw(site, request: bytes) -> bytes:
    """One request exactly as written, from a reader's own address; returns the answer."""
    with socket.create_connection(
        ("127.0.0.1", site.port), timeout=30, source_address=("127.1.7.2", 0)
    ) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


def test_nothing_a_reader_sends_breaks_a_line_or_reaches_the_log(site):
    reader = Reader(site.url, address="127.1.7.1")
    answered = reader.get(
        "/?q=secret-search",
        headers={"Cookie": "sessionid=secret-cookie", "User-Agent": "secret-agent"},
    )
    raw(
        site,
        b'GET /x%0A{"forged":%20true}%0D%0A HTTP/1.1\r\n'
        b"Host: 127.0.0.1\r\nConnection: close\r\n\r\n",
    )
    raw(
        site,
        b'GET /a"b\\c"}{"forged":true HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
    )
    raw(site, b'GET / HTTP/1.1\r\nHost: x"}\\n{"forged":true}\r\nConnection: close\r\n\r\n')
    raw(
        site,
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: secret-agent\r\n"
        b' {"forged": true}\r\nConnection: close\r\n\r\n',
    )

    written = site.log().splitlines()
    entries = [json.loads(line) for line in written if line]
    assert all(isinstance(entry, dict) and "forged" not in entry for entry in entries)
    for private in PRIVATE:
        assert private not in site.log()
    paths = {entry.get("path") for entry in entries if entry["logger"] == "kjnews.requests"}
    assert '/x\n{"forged": true}\r\n' in paths
    ids = [e["logger"] for e in entries if e.get("request_id") == answered.headers["X-Request-ID"]]
    assert sorted(ids) == ["gunicorn.access", "kjnews.requests"]
