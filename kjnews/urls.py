import errno

from django.conf import settings
from django.contrib import admin
from django.http import Http404
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language
from django.views.static import serve

from kjnews.views import robots_txt

handler500 = "kjnews.views.server_error"

urlpatterns = [
    # ADMIN_PATH: an address of its own in production, so the sign-in is not where bots look.
    path(settings.ADMIN_PATH, admin.site.urls),
    path("moderation/", include("comments.moderation.urls")),
    path("editorial/", include("suggestions.editorial_urls")),
    # Without a CSRF token, so that every page can be shared from a cache: the worst a forged
    # post can do is switch a reader's interface language.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("robots.txt", robots_txt, name="robots"),
    path("", include("articles.urls")),
    path("", include("comments.urls")),
    path("", include("suggestions.urls")),
]


def serve_media(request, path):
    """Uploaded images, until a front server or object storage takes over (SERVE_MEDIA)."""
    try:
        return serve(request, path, document_root=settings.MEDIA_ROOT)
    except OSError as error:
        # A name longer than the file system allows names no file (pathlib only hides "no such
        # file" errors from the file-exists checks, so it would otherwise be a 500).
        if error.errno == errno.ENAMETOOLONG:
            raise Http404(path) from None
        raise


if settings.SERVE_MEDIA:
    media_prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns.append(re_path(rf"^{media_prefix}(?P<path>.*)$", serve_media))
