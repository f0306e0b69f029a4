import datetime

from django.conf import settings
from django.db.models import Min, prefetch_related_objects
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from articles.models import Article, Section
from articles.paging import listing_page
from kjnews.pagecache import LISTS, article_generation, shared_page, valid_until
from kjnews.two_factor import awaiting_second_step

# The comments shown below an article are paged and ordered with these parameters
# (comments.paging); the article's page varies on them. Articles need not know more of comments.
COMMENT_PARAMETERS = ("cpage", "sort")


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
