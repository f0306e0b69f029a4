"""What a reader's browser does with the suggestion form, for the tests of this app."""

from django.urls import reverse

from articles.passages import article_passages


def paragraph(article, number):
    """The article's paragraph `number` (1-based) as a passage."""
    return [p for p in article_passages(article) if p.kind == "paragraph"][number - 1]


def suggest_url(article, passage_or_key):
    key = getattr(passage_or_key, "key", passage_or_key)
    return reverse("suggestions:suggest", kwargs={"slug": article.slug, "key": key})


def form_data(client, article, passage, **fields):
    """The fields of the form as rendered for the passage, with `fields` typed in."""
    form = client.get(suggest_url(article, passage)).context["form"]
    return {
        "proposed_text": form["proposed_text"].value(),
        "original_text": "",
        "note": "",
        "website": "",
        "started": form["started"].value(),
        "seen": form["seen"].value(),
        **fields,
    }


def suggest(client, article, passage, **fields):
    return client.post(suggest_url(article, passage), form_data(client, article, passage, **fields))
