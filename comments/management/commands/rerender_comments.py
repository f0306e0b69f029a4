from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from comments.services import comments_rerender


class Command(BaseCommand):
    help = _(
        "Render every comment's HTML again: after COMMENTS_PER_PAGE changes (its >>N links "
        "name the page of the comment they point to) or after a change to how comments render."
    )

    def handle(self, *args, **options):
        count = comments_rerender()
        self.stdout.write(_("%(count)d comments rendered.") % {"count": count})
