"""What machines read about an article: link previews (OpenGraph, Twitter cards) and schema.org
`NewsArticle` structured data, built in Python and rendered in the page's head.

Articles are Japanese whatever language a reader picked for the interface, so everything here is
in the content language.
"""

import datetime
import json
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from articles.images import Rendition
from articles.models import Article, Correction
from kjnews.addresses import absolute_url

CONTENT_LANGUAGE = "ja"
OG_LOCALE = "ja_JP"
LOGO = "img/kjnews-logo.png"
LOGO_SIZE = 512

# Inside <script> the HTML parser looks only for "</script" (and "<!--"): escaping these three
# characters as JSON \u escapes keeps any text inside the data, and parsers read the same JSON.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def publication_name() -> str:
    """KJ News as its readers know it: the name in the content language (KJニュース)."""
    with translation.override(CONTENT_LANGUAGE):
        return gettext("KJ News")


def iso_time(value: datetime.datetime) -> str:
    """`2026-11-20T08:00:00+09:00`: the site's time zone, to the second."""
    return timezone.localtime(value).isoformat(timespec="seconds")


def json_ld_script(data: dict[str, Any]) -> SafeString:
    """`data` as a `<script type="application/ld+json">` block, safe whatever text it holds.

    Like Django's `json_script`, but with the JSON-LD type, and non-ASCII text kept readable.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


@dataclass(frozen=True)
class ArticlePreview:
    url: str
    title: str
    description: str
    section: str
    published: str
    modified: str
    image: Rendition | None
    image_url: str
    image_alt: str
    site_name: str
    structured_data: dict[str, Any]

    @property
    def twitter_card(self) -> str:
        return "summary_large_image" if self.image else "summary"

    @property
    def locale(self) -> str:
        return OG_LOCALE

    @property
    def json_ld(self) -> SafeString:
        return json_ld_script(self.structured_data)


def article_preview(article: Article) -> ArticlePreview:
    """Everything the head of the article's page says about it to other sites."""
    url = absolute_url(article.get_absolute_url())
    lead = next(iter(article.summary_points.all()), None)
    picture = article.picture
    image = picture.largest if picture else None
    return ArticlePreview(
        url=url,
        title=article.title,
        description=lead.text if lead else "",
        section=article.section.name,
        published=iso_time(article.published_at),
        modified=iso_time(article.modified_at),
        image=image,
        image_url=absolute_url(image.url) if image else "",
        image_alt=article.image_alt_text,
        site_name=publication_name(),
        structured_data=news_article(article, url=url, lead=lead.text if lead else "", image=image),
    )


def news_article(article: Article, *, url: str, lead: str, image: Rendition | None) -> dict:
    """schema.org `NewsArticle` for the article, with the source it is based on."""
    home = absolute_url(reverse("articles:home"))
    name = publication_name()
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": article.title,
        "description": lead,
        "datePublished": iso_time(article.published_at),
        "dateModified": iso_time(article.modified_at),
        "inLanguage": CONTENT_LANGUAGE,
        "articleSection": article.section.name,
        "author": {"@type": "Organization", "name": name, "url": home},
        "publisher": {
            "@type": "NewsMediaOrganization",
            "name": name,
            "url": home,
            "logo": {
                "@type": "ImageObject",
                "url": absolute_url(static(LOGO)),
                "width": LOGO_SIZE,
                "height": LOGO_SIZE,
            },
        },
        "isBasedOn": _source(article),
    }
    if image is not None:
        data["image"] = [
            {
                "@type": "ImageObject",
                "url": absolute_url(image.url),
                "width": image.width,
                "height": image.height,
            }
        ]
    if not lead:
        del data["description"]
    corrections = article.correction_notes
    if corrections:
        data["correction"] = [
            {
                "@type": "CorrectionComment",
                "text": correction_text(correction),
                "datePublished": iso_time(correction.made_at),
            }
            for correction in corrections
        ]
    return data


def correction_text(correction: Correction) -> str:
    """The note as the article's page shows it (templates/includes/correction_note.html), in
    the content language."""
    with translation.override(CONTENT_LANGUAGE):
        context = {"correction": correction}
        return render_to_string("includes/correction_note.html", context).strip()


def _source(article: Article) -> dict[str, Any]:
    source: dict[str, Any] = {"@type": "NewsArticle", "url": article.source_url}
    if article.original_title:
        source["headline"] = article.original_title
    if article.source_name:
        source["publisher"] = {"@type": "Organization", "name": article.source_name}
    return source
