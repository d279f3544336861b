# The summary as plain text, stored with it, so that search shows snippets without rendering markdown per hit.
# Filled here for the pages there are, with the one renderer (tumours/text.py), citations left out as in every
# snippet; from then on Tumour.save writes it with the summary.

from django.db import migrations, models

BATCH = 500


def fill_summary_text(apps, schema_editor):
    from tumours.text import plain_text

    Tumour = apps.get_model("tumours", "Tumour")
    rows = Tumour.objects.only("summary").order_by("pk")
    batch = []
    for tumour in rows.iterator(chunk_size=BATCH):
        tumour.summary_text = plain_text(tumour.summary)
        batch.append(tumour)
        if len(batch) == BATCH:
            Tumour.objects.bulk_update(batch, ["summary_text"])
            batch = []
    Tumour.objects.bulk_update(batch, ["summary_text"])


class Migration(migrations.Migration):
    dependencies = [("tumours", "0009_search_without_citations")]

    operations = [
        migrations.AddField(
            model_name="tumour",
            name="summary_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill_summary_text, migrations.RunPython.noop),
    ]
