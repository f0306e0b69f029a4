from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "comments"
    verbose_name = _("Comments")

    def ready(self):
        from comments import checks  # noqa: F401 (registers the comments app's checks)
        from comments.forms import form_started_token
        from kjnews.pagecache import register_fill

        register_fill(
            "comment-started", lambda request, article_id: form_started_token(int(article_id))
        )
