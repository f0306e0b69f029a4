"""Search terms marked in results: `{{ article.title|marked:terms }}`, `{{ text|snippet:terms }}`.

Both escape the text themselves (articles/highlighting.py) and return it safe with `<mark>`s.
"""

from django import template

from articles.highlighting import marked_html, snippet_html

register = template.Library()


@register.filter
def marked(text, terms):
    return marked_html(text, terms)


@register.filter
def snippet(text, terms):
    return snippet_html(text, terms)
