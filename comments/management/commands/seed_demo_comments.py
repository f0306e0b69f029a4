from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from comments.demo import demo_comments_seed
from comments.models import Comment


class Command(BaseCommand):
    help = "Adds a few demo comments to published articles that have none."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when any comment exists."
        )

    def handle(self, *args, if_empty=False, **options):
        if if_empty and Comment.objects.exists():
            return
        count = demo_comments_seed()
        self.stdout.write(_("Demo comments: %(count)d added.") % {"count": count})
