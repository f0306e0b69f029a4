import datetime
from collections import defaultdict

from django.conf import settings
from django.db.models import Min, prefetch_related_objects
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers
from django.utils.http import urlencode

from articles.highlighting import snippet_source
from articles.models import Article, Paragraph, Section, SummaryPoint
from articles.paging import listing_page
from articles.search import QUERY_MAX_CHARS, SearchTerms
from kjnews.pagecache import (
    LISTS,
    article_generation,
    request_is_personal,
    shared_page,
    valid_until,
)

# The comments shown below an article are paged with this parameter (comments.paging); the
# article's page varies on it. Articles need not know more of comments than that.
COMMENT_PAGE_PARAMETER = "cpage"
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
    varies_on=(COMMENT_PAGE_PARAMETER,),
    bypass_on=("reply",),
)
def article_detail(request, slug):
    can_preview = request.user.has_perm("articles.change_article")
    articles = Article.objects.all() if can_preview else Article.objects.published()
    return render_article(request, get_object_or_404(articles.select_related("section"), slug=slug))


def render_article(request, article, *, context=None, status=200):
    """The article page; comments re-render it with context of their own, such as a bound form."""
    prefetch_related_objects([article], "summary_points", "paragraphs")
    is_preview = not article.is_visible_to_readers
    response = render(
        request,
        "articles/article_detail.html",
        {"article": article, "is_preview": is_preview, **(context or {})},
        status=status,
    )
    if is_preview:
        add_never_cache_headers(response)
    return response


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
