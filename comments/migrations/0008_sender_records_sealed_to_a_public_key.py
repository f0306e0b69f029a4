from django.db import migrations


def drop_symmetric_sender_records(apps, schema_editor):
    """Records encrypted with the old symmetric DISCLOSURE_KEY (Fernet) are dropped.

    Before launch there are no disclosure requests to answer, and a second way of opening records
    would keep the key every web server could read alive (docs/decisions.md, sealed sender
    records). New records are sealed to DISCLOSURE_PUBLIC_KEY.
    """
    Comment = apps.get_model("comments", "Comment")
    Comment.objects.exclude(sender_record="").exclude(sender_record__startswith="hpke1.").update(
        sender_record=""
    )


class Migration(migrations.Migration):
    dependencies = [("comments", "0007_comment_body_html")]

    operations = [migrations.RunPython(drop_symmetric_sender_records, migrations.RunPython.noop)]
