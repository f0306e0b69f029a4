from django import template
from django.utils.html import format_html

from kjnews.pagecache import fill_marker

register = template.Library()


@register.simple_tag(takes_context=True)
def reader_csrf_input(context):
    """`{% csrf_token %}` for pages that may be shared: the reader's own token is filled in as
    the page is sent (kjnews.pagecache), never stored in the shared cache."""
    return format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">',
        fill_marker(context["request"], "csrf"),
    )
