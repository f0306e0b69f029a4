import functools

from django.db import migrations, models
from django.urls import reverse


def render_existing_bodies(apps, schema_editor):
    """Existing comments get their HTML as new ones do (Comment.rendered_body)."""
    from comments.paging import page_of
    from comments.rendering import comment_html

    Comment = apps.get_model("comments", "Comment")
    comments = Comment.objects.filter(body_html="").select_related("article").order_by("pk")

    def location(slug, number):
        url = reverse("articles:detail", kwargs={"slug": slug})
        return f"{url}?cpage={page_of(number)}#c-{number}"

    for comment in comments.iterator(chunk_size=2000):
        comment.body_html = comment_html(
            comment.body, functools.partial(location, comment.article.slug)
        )
        comment.save(update_fields=["body_html"])


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0006_report_reporter_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="body_html",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(render_existing_bodies, migrations.RunPython.noop, elidable=True),
    ]
