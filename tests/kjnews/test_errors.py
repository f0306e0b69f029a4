"""Error pages that must render when the database or cache is what failed."""

from http import HTTPStatus

from django.db import OperationalError

from kjnews.views import server_error


def test_a_database_outage_that_escapes_the_views_is_still_a_503_asking_to_retry(rf):
    try:
        raise OperationalError("the server closed the connection unexpectedly")
    except OperationalError:
        response = server_error(rf.get("/"))

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert int(response["Retry-After"]) > 0
    assert "the server closed" not in response.text


def test_any_other_failure_is_a_500_page_without_details(rf):
    try:
        raise ValueError("secret internals")
    except ValueError:
        response = server_error(rf.get("/"))

    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert "secret internals" not in response.text
    assert "no-store" in response["Cache-Control"]
