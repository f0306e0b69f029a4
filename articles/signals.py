"""Every change to what readers see of an article reaches the shared page cache and the
article's search document.

Articles change through the admin (with its inlines and bulk deletes), the import and the demo
loader; receivers here see them all, which explicit calls in each path could miss.
"""

import collections
import functools
import threading

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from articles.models import Article, Correction, Paragraph, Section, SummaryPoint
from articles.services import search_documents_refresh
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


@receiver([post_save, post_delete], sender=Correction)
def correction_changed(sender, instance, **kwargs):
    # The note is on the article's page, and the corrections page and feeds are lists.
    article = Article.objects.filter(pk=instance.article_id).only("slug").first()
    if article is not None:
        article_pages_changed(article.slug)
    else:
        listing_pages_changed()


@receiver([post_save, post_delete], sender=Section)
def section_changed(sender, instance, **kwargs):
    all_pages_changed()


@receiver(post_save, sender=Article)
def article_search_outdated(sender, instance, **kwargs):
    # In the transaction that saves the change: the article is searchable as it was committed.
    search_documents_refresh(article_ids=[instance.pk])


@receiver(post_save, sender=SummaryPoint)
@receiver(post_save, sender=Paragraph)
def article_text_search_outdated(sender, instance, **kwargs):
    search_documents_refresh(article_ids=[instance.article_id])


@receiver(post_delete, sender=SummaryPoint)
@receiver(post_delete, sender=Paragraph)
def article_text_search_removed(sender, instance, using, **kwargs):
    # Deleting an article deletes its rows one by one first: rebuilding its document for each
    # would be wasted on an article about to go. Once committed, each article still there is
    # rebuilt once.
    _pending_refresh(using).add(instance.article_id)
    transaction.on_commit(functools.partial(_refresh_pending, using), using=using, robust=True)


_pending = threading.local()


def _pending_refresh(using: str) -> set:
    if not hasattr(_pending, "ids"):
        _pending.ids = collections.defaultdict(set)
    return _pending.ids[using]


def _refresh_pending(using: str) -> None:
    # The first callback after a commit takes every pending article, the rest find none. Ids
    # left by a rolled-back transaction are rebuilt too, which changes nothing.
    ids = _pending_refresh(using)
    if ids:
        article_ids = list(ids)
        ids.clear()
        search_documents_refresh(article_ids=article_ids)
