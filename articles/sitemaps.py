"""Sitemaps: every published article (with when it last changed) and every section, in Django's
sitemap framework; the Google News sitemap (articles first published in the last 48 hours) is
rendered by `articles.views.news_sitemap` from `news_articles()`.

Addresses are absolute on `SITE_URL`, not on the host a request arrived with.
"""

import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q
from django.utils import timezone

from articles.models import Article, Section
from kjnews.addresses import site_origin

NEWS_WINDOW = datetime.timedelta(hours=48)
NEWS_LIMIT = 1000


class SiteAddressSitemap(Sitemap):
    def get_protocol(self, protocol=None):
        return site_origin().split("://", 1)[0]

    def get_domain(self, site=None):
        return site_origin().split("://", 1)[1]


class ArticleSitemap(SiteAddressSitemap):
    # Smaller than the protocol's 50,000 so that a page renders quickly; oldest first, so that a
    # new article changes only the last page.
    limit = 5000

    def items(self):
        return (
            Article.objects.published()
            .order_by("published_at", "pk")
            .only("slug", "published_at", "updated_at")
        )

    def lastmod(self, article):
        return article.modified_at

    def get_latest_lastmod(self):
        latest = Article.objects.published().aggregate(
            updated=Max("updated_at"), published=Max("published_at")
        )
        return max((value for value in latest.values() if value is not None), default=None)


class SectionSitemap(SiteAddressSitemap):
    def items(self):
        visible = Q(
            articles__status=Article.Status.PUBLISHED, articles__published_at__lte=timezone.now()
        )
        return Section.objects.annotate(
            latest=Max("articles__published_at", filter=visible)
        ).order_by("position", "name")

    def lastmod(self, section):
        return section.latest

    def get_latest_lastmod(self):
        return Article.objects.published().aggregate(latest=Max("published_at"))["latest"]


SITEMAPS = {"articles": ArticleSitemap, "sections": SectionSitemap}


def news_articles(*, now: datetime.datetime):
    """Articles first published within `NEWS_WINDOW` before `now`, newest first, at most
    `NEWS_LIMIT`: `published_at` is the first publication (edits move `updated_at` only)."""
    return (
        Article.objects.published()
        .filter(published_at__gt=now - NEWS_WINDOW, published_at__lte=now)
        .order_by("-published_at", "-pk")
        .only("slug", "title", "published_at")[:NEWS_LIMIT]
    )
