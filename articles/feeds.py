"""RSS 2.0 and Atom feeds of the latest articles, for the whole site and for each section.

Readers' visibility rule (`published()`) decides what is in them, as on the pages. Addresses are
absolute on `SITE_URL`, times are Japan time, and each item carries its section as a category
and its image (a JPEG rendition, whose size was recorded when it was made) as an enclosure.
"""

import re

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from articles.models import Article, Correction, Section
from articles.previews import CONTENT_LANGUAGE, correction_text, publication_name
from kjnews.addresses import absolute_url

FEED_LENGTH = 30
# XML 1.0 has no place for these; an editor's paste can bring them into a headline.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    """`text` without the control characters XML cannot carry (they would fail the feed)."""
    return _NOT_XML.sub("", text)


class LatestArticlesFeed(Feed):
    """The newest articles across sections (RSS 2.0)."""

    feed_type = Rss201rev2Feed
    url_name = "articles:feed"
    language = CONTENT_LANGUAGE

    def title(self):
        return publication_name()

    def link(self):
        return absolute_url(reverse("articles:home"))

    def feed_url(self):
        return absolute_url(reverse(self.url_name))

    def description(self):
        return _("KJ News: Japanese summaries of news from around the world.")

    def author_name(self):
        return publication_name()

    def items(self):
        return Article.objects.published().for_listing()[:FEED_LENGTH]

    # Titles and descriptions are HTML to feed readers: escaped once more, as Django does.
    def item_title(self, article):
        return escape(xml_text(article.title))

    def item_description(self, article):
        return escape(xml_text(article.lead or ""))

    def item_link(self, article):
        return absolute_url(article.get_absolute_url())

    def item_pubdate(self, article):
        return timezone.localtime(article.published_at)

    def item_updateddate(self, article):
        return timezone.localtime(article.modified_at)

    def item_categories(self, article):
        return [xml_text(article.section.name)]

    def item_enclosures(self, article):
        if article.picture is None:
            return []
        image = article.picture.fallback
        return [Enclosure(absolute_url(image.url), str(image.size), image.mime_type)]


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = Atom1Feed
    url_name = "articles:feed-atom"

    def subtitle(self):
        return self.description()


class SectionFeed(LatestArticlesFeed):
    """The newest articles of one section (RSS 2.0)."""

    url_name = "articles:section-feed"

    def get_object(self, request, slug):
        return Section.objects.get(slug=slug)

    def title(self, section):
        return xml_text(f"{section.name} | {publication_name()}")

    def link(self, section):
        return absolute_url(section.get_absolute_url())

    def feed_url(self, section):
        return absolute_url(reverse(self.url_name, kwargs={"slug": section.slug}))

    def description(self, section):
        return xml_text(
            section.description
            or _("The latest articles of %(section)s.") % {"section": section.name}
        )

    def items(self, section):
        return Article.objects.published().filter(section=section).for_listing()[:FEED_LENGTH]


class SectionAtomFeed(SectionFeed):
    feed_type = Atom1Feed
    url_name = "articles:section-feed-atom"

    def subtitle(self, section):
        return self.description(section)


class CorrectionsFeed(Feed):
    """The newest corrections across the site (RSS 2.0), each linking to its note."""

    feed_type = Rss201rev2Feed
    url_name = "articles:corrections-feed"
    language = CONTENT_LANGUAGE

    def title(self):
        return f"{_('Corrections')} | {publication_name()}"

    def link(self):
        return absolute_url(reverse("articles:corrections"))

    def feed_url(self):
        return absolute_url(reverse(self.url_name))

    def description(self):
        return _("Corrections to KJ News articles, newest first.")

    def author_name(self):
        return publication_name()

    def items(self):
        return Correction.objects.published().for_listing()[:FEED_LENGTH]

    def item_title(self, correction):
        headline = pgettext("feed item", "Correction: %(headline)s") % {
            "headline": correction.article.title
        }
        return escape(xml_text(headline))

    def item_description(self, correction):
        return escape(xml_text(correction_text(correction)))

    def item_link(self, correction):
        return absolute_url(correction.get_absolute_url())

    def item_guid(self, correction):
        return absolute_url(correction.get_absolute_url())

    def item_pubdate(self, correction):
        return timezone.localtime(correction.made_at)

    def item_categories(self, correction):
        return [xml_text(correction.article.section.name)]


class CorrectionsAtomFeed(CorrectionsFeed):
    feed_type = Atom1Feed
    url_name = "articles:corrections-feed-atom"

    def subtitle(self):
        return self.description()
