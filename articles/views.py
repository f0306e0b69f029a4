import datetime
import functools
from collections import defaultdict

from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Min, prefetch_related_objects
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers
from django.utils.http import urlencode

from articles.feeds import (
    CorrectionsAtomFeed,
    CorrectionsFeed,
    LatestArticlesAtomFeed,
    LatestArticlesFeed,
    SectionAtomFeed,
    SectionFeed,
    xml_text,
)
from articles.highlighting import snippet_source
from articles.models import Article, Correction, Paragraph, Section, SummaryPoint
from articles.paging import listing_page
from articles.previews import CONTENT_LANGUAGE, article_preview, publication_name
from articles.search import QUERY_MAX_CHARS, SearchTerms
from articles.sitemaps import NEWS_WINDOW, SITEMAPS, news_articles
from kjnews.addresses import absolute_url
from kjnews.pagecache import (
    LISTS,
    article_generation,
    request_is_personal,
    shared_page,
    valid_until,
)
from kjnews.two_factor import awaiting_second_step

# The comments shown below an article are paged and ordered with these parameters
# (comments.paging); the article's page varies on them. Articles need not know more of comments.
COMMENT_PARAMETERS = ("cpage", "sort")
# Search results are offered this many pages deep (1,000 articles at 20 a page): nobody reads
# further, and deeper pages cost the database more with every page.
SEARCH_LAST_PAGE = 50


def _page(request, queryset):
    return listing_page(queryset, request.GET.get("page"), per_page=settings.ARTICLES_PER_PAGE)


def _next_publication(section=None) -> datetime.datetime | None:
    """When the next scheduled article appears: a shared list page is valid until then."""
    scheduled = Article.objects.filter(
        status=Article.Status.PUBLISHED, published_at__gt=timezone.now()
    )
    if section is not None:
        scheduled = scheduled.filter(section=section)
    return scheduled.aggregate(next=Min("published_at"))["next"]


def _share_until_next_publication(request, section=None):
    when = _next_publication(section)
    if when is not None:
        valid_until(request, when)


@shared_page(generations=lambda: [LISTS], varies_on=("page",))
def home(request):
    page = _page(request, Article.objects.published().for_listing())
    _share_until_next_publication(request)
    return render(request, "articles/article_list.html", {"page_obj": page})


@shared_page(generations=lambda slug: [LISTS], varies_on=("page",))
def section_detail(request, slug):
    section = get_object_or_404(Section, slug=slug)
    page = _page(request, Article.objects.published().filter(section=section).for_listing())
    _share_until_next_publication(request, section)
    return render(request, "articles/section_detail.html", {"section": section, "page_obj": page})


@shared_page(
    generations=lambda slug: [article_generation(slug)],
    varies_on=COMMENT_PARAMETERS,
    bypass_on=("reply",),
)
def article_detail(request, slug):
    # Staff who still owe their sign-in code see what readers see.
    can_preview = request.user.has_perm("articles.change_article") and not awaiting_second_step(
        request.user
    )
    articles = Article.objects.all() if can_preview else Article.objects.published()
    return render_article(request, get_object_or_404(articles.select_related("section"), slug=slug))


def render_article(request, article, *, context=None, status=200):
    """The article page; comments re-render it with context of their own, such as a bound form."""
    lookups = ["summary_points", "paragraphs"]
    if article.last_corrected_at:
        lookups.append("corrections")
    prefetch_related_objects([article], *lookups)
    is_preview = not article.is_visible_to_readers
    response = render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "is_preview": is_preview,
            "preview": article_preview(article),
            **(context or {}),
        },
        status=status,
    )
    if is_preview:
        add_never_cache_headers(response)
    return response


@shared_page(generations=lambda: [LISTS], varies_on=("page",))
def corrections(request):
    """Every correction told to readers, newest first; a new one bumps the lists' generation
    (articles/signals.py), so it shows at once."""
    page = _page(request, Correction.objects.published().for_listing())
    _share_until_next_publication(request)
    return render(request, "articles/correction_list.html", {"page_obj": page})


# Feeds and sitemaps: public, shared from the page cache like the lists (they change when an
# article does), and in the content language whatever the reader's interface language.


def _in_content_language(view):
    """Outside the page cache, so that one copy serves readers of every interface language."""

    @functools.wraps(view)
    def in_content_language(request, *args, **kwargs):
        with translation.override(CONTENT_LANGUAGE):
            return view(request, *args, **kwargs)

    return in_content_language


def _feed_view(feed_class):
    feed = feed_class()

    @_in_content_language
    @shared_page(generations=lambda **kwargs: [LISTS])
    def view(request, **kwargs):
        _share_until_next_publication(request)
        return feed(request, **kwargs)

    return view


feed = _feed_view(LatestArticlesFeed)
feed_atom = _feed_view(LatestArticlesAtomFeed)
section_feed = _feed_view(SectionFeed)
section_feed_atom = _feed_view(SectionAtomFeed)
corrections_feed = _feed_view(CorrectionsFeed)
corrections_feed_atom = _feed_view(CorrectionsAtomFeed)


def _kept_out_of_search_results(view):
    """Sitemaps are for crawlers, not for search results (Django's sitemap views say so too)."""

    @functools.wraps(view)
    def kept_out(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex"
        return response

    return kept_out


@_kept_out_of_search_results
@_in_content_language
@shared_page(generations=lambda: [LISTS])
def sitemap_index(request):
    """Django's index view, with addresses on SITE_URL instead of the request's host."""
    _share_until_next_publication(request)
    entries = []
    for section, sitemap_class in SITEMAPS.items():
        sitemap = sitemap_class()
        location = absolute_url(reverse("articles:sitemap", kwargs={"section": section}))
        lastmod = sitemap.get_latest_lastmod()
        entries.append(sitemap_views.SitemapIndexItem(location, lastmod))
        entries.extend(
            sitemap_views.SitemapIndexItem(f"{location}?p={page}", lastmod)
            for page in range(2, sitemap.paginator.num_pages + 1)
        )
    news = absolute_url(reverse("articles:sitemap-news"))
    entries.append(sitemap_views.SitemapIndexItem(news, None))
    return render(
        request, "sitemaps/index.xml", {"sitemaps": entries}, content_type="application/xml"
    )


@_kept_out_of_search_results
@_in_content_language
@shared_page(generations=lambda section: [LISTS], varies_on=("p",))
def sitemap(request, section):
    _share_until_next_publication(request)
    response = sitemap_views.sitemap(
        request, SITEMAPS, section=section, template_name="sitemaps/sitemap.xml"
    )
    return response.render()


@_kept_out_of_search_results
@_in_content_language
@shared_page(generations=lambda: [LISTS])
def news_sitemap(request):
    """Google News: articles first published in the last 48 hours, at most 1,000."""
    articles = list(news_articles(now=timezone.now()))
    if articles:
        valid_until(request, articles[-1].published_at + NEWS_WINDOW)  # the oldest drops out
    _share_until_next_publication(request)
    entries = [
        {
            "location": absolute_url(article.get_absolute_url()),
            "title": xml_text(article.title),
            "published_at": article.published_at,
        }
        for article in articles
    ]
    return render(
        request,
        "sitemaps/news.xml",
        {"entries": entries, "publication_name": publication_name(), "language": CONTENT_LANGUAGE},
        content_type="application/xml",
    )


def search(request):
    """Published articles holding every term of `q`, newest first (articles/search.py).

    Not kept in the shared page cache: anyone can ask for any text, so keeping each answer would
    let anyone fill the cache (docs/decisions.md). Browsers and a CDN may keep one for as long
    as a home page.
    """
    terms = SearchTerms.parse(request.GET.get("q", ""))
    page = None
    if terms:
        page = listing_page(
            Article.objects.published().search_results(terms),
            request.GET.get("page"),
            per_page=settings.ARTICLES_PER_PAGE,
            last_number=SEARCH_LAST_PAGE,
        )
        _snippets_attach(page.object_list, terms)
    response = render(
        request,
        "articles/article_search.html",
        {
            "search": terms,
            "page_obj": page,
            # The pages' links keep the query: ?q=…&page=N.
            "page_query": urlencode({"q": terms.text}) + "&" if terms.text else "",
            "query_max_chars": QUERY_MAX_CHARS,
        },
    )
    if request_is_personal(request):
        patch_cache_control(response, private=True, no_store=True, no_cache=True, max_age=0)
    else:
        patch_cache_control(response, public=True, max_age=settings.PAGE_PUBLIC_MAX_AGE)
    patch_vary_headers(response, ["Cookie"])
    return response


def _snippets_attach(articles, terms: SearchTerms) -> None:
    """Each result's snippet text: its summary point, original headline or paragraph holding the
    most terms. The texts are read as plain rows: building model instances for every paragraph
    of 20 results cost more than the search itself."""
    points, paragraphs = defaultdict(list), defaultdict(list)
    ids = [article.pk for article in articles]
    for model, texts in ((SummaryPoint, points), (Paragraph, paragraphs)):
        rows = model.objects.filter(article_id__in=ids).order_by("position", "pk")
        for article_id, text in rows.values_list("article_id", "text"):
            texts[article_id].append(text)
    for article in articles:
        texts = [*points[article.pk], article.original_title, *paragraphs[article.pk]]
        article.snippet_text = snippet_source(texts, terms.terms)
