"""The one place where comments learn about what they comment on.

Comments attach to articles. Everything the comments app needs from the articles app goes through
here: the model, how a reader-visible article is found, its section (for per-section moderation
policy), its publication time (for closing old threads) and its page. Nothing in `articles`
imports from `comments`.
"""

import datetime

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Section
from articles.views import render_article
from kjnews.pagecache import article_pages_changed

TARGET_MODEL = Article
# Moderation policy is set per group of targets (a section), overridable per target.
TARGET_GROUP_MODEL = Section


def target_group_id(article: Article) -> int:
    return article.section_id


def commentable_target(slug: str) -> Article:
    """The reader-visible article a comment request names, or 404: same rule as the article page."""
    return get_object_or_404(Article.objects.published().select_related("section"), slug=slug)


def target_takes_comments(article: Article) -> bool:
    """Readers can see it (an editor's preview of a draft takes none) and it is not too old."""
    closes_at = target_comments_close_at(article)
    too_old = closes_at is not None and closes_at <= timezone.now()
    return article.is_visible_to_readers and not too_old


def target_comments_close_at(article: Article) -> datetime.datetime | None:
    """When the article's thread closes by itself (COMMENTS_CLOSE_AFTER_DAYS), if ever."""
    days = settings.COMMENTS_CLOSE_AFTER_DAYS
    return article.published_at + datetime.timedelta(days=days) if days else None


def target_pages_changed(article: Article | int) -> None:
    """The comments shown on the article's page (and its count in the lists) changed."""
    if not isinstance(article, Article):
        article = Article.objects.only("slug").get(pk=article)
    article_pages_changed(article.slug)


def target_url(slug: str) -> str:
    """The article's address from its slug alone: for pages shown while the database is down."""
    return reverse("articles:detail", kwargs={"slug": slug})


def target_page(request, article: Article, *, context=None, status=200):
    """Render the article page with the comments' own context (a bound form, an error)."""
    return render_article(request, article, context=context, status=status)
