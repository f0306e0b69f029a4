"""Every change to what readers see of an article reaches the shared page cache.

Articles change through the admin (with its inlines and bulk deletes), the import and the demo
loader; receivers here see them all, which explicit calls in each path could miss.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from articles.models import Article, Paragraph, Section, SummaryPoint
from kjnews.pagecache import all_pages_changed, article_pages_changed, listing_pages_changed


@receiver([post_save, post_delete], sender=Article)
def article_changed(sender, instance, **kwargs):
    article_pages_changed(instance.slug)


@receiver([post_save, post_delete], sender=SummaryPoint)
@receiver([post_save, post_delete], sender=Paragraph)
def article_text_changed(sender, instance, **kwargs):
    # The lists show an article's first summary point too.
    article = Article.objects.filter(pk=instance.article_id).only("slug").first()
    if article is not None:
        article_pages_changed(article.slug)
    else:
        listing_pages_changed()


@receiver([post_save, post_delete], sender=Section)
def section_changed(sender, instance, **kwargs):
    all_pages_changed()
