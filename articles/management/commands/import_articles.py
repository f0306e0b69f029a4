from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from articles.importing import ImportRejected, records_read
from articles.services import articles_import


class Command(BaseCommand):
    help = (
        "Import articles from a JSON file (one object or a list of them). A file with any bad "
        "record imports nothing; an article whose source_url exists already is updated. "
        "The format is described in README.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", type=Path, help="The JSON file; image paths are relative to it."
        )

    def handle(self, *args, file, **options):
        try:
            result = articles_import(records=records_read(path=file), base_dir=file.parent)
        except ImportRejected as error:
            raise CommandError(str(error)) from error
        if options["verbosity"] > 1:
            for article in result.created:
                self.stdout.write(_("Created: %(title)s") % {"title": article.title})
            for article in result.updated:
                self.stdout.write(_("Updated: %(title)s") % {"title": article.title})
        self.stdout.write(
            self.style.SUCCESS(
                _("%(created)d created, %(updated)d updated.")
                % {"created": len(result.created), "updated": len(result.updated)}
            )
        )
