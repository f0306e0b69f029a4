from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuggestionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "suggestions"
    verbose_name = _("Reader suggestions")

    def ready(self):
        from comments.retention import personal_data_register
        from suggestions.models import Suggestion

        # Who suggested is forgotten with who commented, by the same daily purge.
        personal_data_register(
            name="suggestions",
            label=_("suggestions"),
            rows=Suggestion.objects.all,
            fields=("poster_hash", "poster_network_hash"),
        )
