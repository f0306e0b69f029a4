from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from articles.models import Article
from articles.services import demo_seed


class Command(BaseCommand):
    help = (
        "Create the demo sections and load the demo articles (articles/demo/articles.json), "
        "dated relative to now. Running it again updates them instead of adding copies."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when any article exists (for `make run`).",
        )

    def handle(self, *args, if_empty, **options):
        if if_empty and Article.objects.exists():
            self.stdout.write(_("Articles exist already: demo content not loaded."))
            return
        result = demo_seed(now=timezone.now())
        self.stdout.write(
            self.style.SUCCESS(
                _("Demo content: %(created)d created, %(updated)d updated.")
                % {"created": len(result.created), "updated": len(result.updated)}
            )
        )
