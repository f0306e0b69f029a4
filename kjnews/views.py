from django.shortcuts import render
from django.urls import Resolver404, resolve


def csrf_failure(request, reason=""):
    """A failed CSRF check: the view that was posted to may answer it (keeping the reader's text);
    anything else gets a Japanese 403 page."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        match = None
    handler = getattr(match.func, "csrf_failure", None) if match else None
    if handler:
        return handler(request, *match.args, **match.kwargs)
    return render(request, "403_csrf.html", status=403)
