"""The benchmark's baselines: the least Django can do for a page and for a post.

Used as ROOT_URLCONF only when BENCH_BASELINES is true (`make bench` sets it), so these views sit
beside the real site under the same settings, middleware and gunicorn workers. A page's speed is
then read as a share of `bench_floor`, a post's as a share of `bench_insert`.
"""

import functools

from django.db import connection
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import include, path
from django.views.decorators.http import require_POST

INSERT_TABLE = "bench_insert"


@functools.cache
def _filler(size: int) -> bytes:
    # Built once per size: the floor must cost nothing per request beyond Django itself.
    return b"x" * size


def floor_page(request, size):
    """A page of exactly `size` bytes through the full middleware stack, with no work at all."""
    return HttpResponse(_filler(size), content_type="text/html; charset=utf-8")


@require_POST
def insert_and_redirect(request):
    """A form post at its simplest: CSRF-checked by the middleware, one INSERT, a redirect."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {INSERT_TABLE} (body) VALUES (%s) RETURNING id",
            [request.POST.get("body", "")],
        )
        (row_id,) = cursor.fetchone()
    return HttpResponseRedirect(f"/bench/floor/1/#row-{row_id}")


urlpatterns = [
    path("bench/floor/<int:size>/", floor_page, name="bench_floor"),
    path("bench/insert/", insert_and_redirect, name="bench_insert"),
    path("", include("kjnews.urls")),
]
