"""/healthz and /readyz: what a load balancer asks a node. Cheap, never cached, no details."""

from http import HTTPStatus

import pytest
from django.test import Client

from tests.servers import Reader, refused_port


def test_healthz_answers_ok_without_touching_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == HTTPStatus.OK
    assert response.content == b"ok\n"
    assert "no-store" in response["Cache-Control"]


def test_probes_answer_a_load_balancer_that_uses_the_nodes_address_as_host(db):
    balancer = Client(HTTP_HOST="10.0.0.7:8000")

    assert balancer.get("/healthz").status_code == HTTPStatus.OK
    assert balancer.get("/readyz").status_code == HTTPStatus.OK


def test_readyz_answers_ok_when_the_database_and_cache_answer(client, db):
    response = client.get("/readyz")

    assert response.status_code == HTTPStatus.OK
    assert response.content == b"ok\n"
    assert "no-store" in response["Cache-Control"]


def test_readyz_costs_one_query_once_the_schema_is_known_to_be_migrated(
    client, db, django_assert_num_queries
):
    client.get("/readyz")

    with django_assert_num_queries(1):
        client.get("/readyz")


def test_readyz_answers_unavailable_without_details_when_the_cache_is_down(client, db, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "kjnews.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{refused_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }

    response = client.get("/readyz")

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.content == b"unavailable\n"


@pytest.fixture
def unmigrated_database(tmp_path):
    return f"sqlite:///{tmp_path / 'empty.sqlite3'}"


def test_a_node_on_an_unmigrated_database_is_alive_but_not_ready(
    start_site, unmigrated_database, redis_server
):
    site = start_site(database_url=unmigrated_database, cache_url=redis_server.url(), workers=1)
    reader = Reader(site.url)

    assert reader.get("/healthz").status == 200
    not_ready = reader.get("/readyz")
    assert not_ready.status == 503
    assert not_ready.text == "unavailable\n"


def test_a_node_whose_database_refuses_connections_is_alive_but_not_ready(start_site, redis_server):
    site = start_site(
        database_url=f"postgres://postgres@127.0.0.1:{refused_port()}/kjnews",
        cache_url=redis_server.url(),
        workers=1,
    )
    reader = Reader(site.url)

    assert reader.get("/healthz").status == 200
    assert reader.get("/readyz").status == 503
    assert reader.get("/").status == 503
