"""What the staff's own pages outside the admin share: the moderators' queue and the editors'
queue sign in, refuse and redirect alike."""

from urllib.parse import urlsplit

from django.contrib.auth.decorators import login_required, permission_required
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from kjnews.two_factor import second_step_required


def staff_page_required(permission: str):
    """Anonymous: to the admin login and back. Owing the second step of sign-in (a superuser,
    or staff who set it up): to the code first. Signed in without `permission`: 403.

    Never cached: a queue is private and changes with every decision.
    """

    def decorate(view):
        return never_cache(
            login_required(
                second_step_required(permission_required(permission, raise_exception=True)(view)),
                login_url=reverse_lazy("admin:login"),
            )
        )

    return decorate


def return_url(request, page_path: str) -> str:
    """Where a decision goes back to: the posted `next` when it is `page_path` on this site
    (with its query: the queue's page and order), else `page_path` itself."""
    url = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if safe and urlsplit(url).path == page_path else page_path
