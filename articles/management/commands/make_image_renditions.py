from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from articles.models import Article
from articles.services import article_renditions_make


class Command(BaseCommand):
    help = (
        "Make the responsive renditions of article images stored without them (before "
        "renditions existed). Images saved or imported since get theirs when they are stored."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all",
            action="store_true",
            dest="remake_all",
            help="Make them again for every image, e.g. after the rendition sizes changed.",
        )

    def handle(self, *args, remake_all, **options):
        articles = Article.objects.exclude(image="").order_by("pk")
        if not remake_all:
            articles = articles.filter(image_renditions=[])
        made = 0
        for article in articles.iterator(chunk_size=100):
            article_renditions_make(article=article)
            made += 1
        self.stdout.write(
            self.style.SUCCESS(_("Renditions made for %(count)d images.") % {"count": made})
        )
