"""Each source gets a key for citations, made from its title and unique within its page, on the live rows and in
every saved version's content (so that a draft in progress, or an old version restored, keeps its sources' keys
and an untouched draft still compares equal to the live page)."""

from django.db import migrations, models
from django.utils.text import slugify

import tumours.citations


def key_from_title(title, taken):
    # As tumours.citations.key_from_title does today, copied so this migration never changes.
    base = slugify(title)[:40].strip("-") or "source"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def fill_keys(apps, schema_editor):
    Source, Revision = apps.get_model("tumours", "Source"), apps.get_model("tumours", "Revision")
    taken = {}
    for source in Source.objects.order_by("tumour_id", "position", "id").iterator(chunk_size=1000):
        page = taken.setdefault(source.tumour_id, set())
        source.key = key_from_title(source.title, page)
        page.add(source.key)
        source.save(update_fields=["key"])
    keys = dict(Source.objects.values_list("id", "key"))
    for revision in Revision.objects.iterator(chunk_size=500):
        sources = revision.content.get("sources") or []
        if all(row.get("key") for row in sources):
            continue
        page = set()
        for row in sources:
            # A row that became a live source takes that source's key, so drafts still match the live page.
            row["key"] = row.get("key") or keys.get(row.get("id")) or key_from_title(row.get("title") or "", page)
            if row["key"] in page:
                row["key"] = key_from_title(row["key"], page)
            page.add(row["key"])
        Revision.objects.filter(pk=revision.pk).update(content=revision.content)


class Migration(migrations.Migration):
    dependencies = [("tumours", "0007_evidence_links_feedback_readability")]

    operations = [
        migrations.AddField(
            model_name="source",
            name="key",
            field=models.CharField(default="", max_length=60),
            preserve_default=False,
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="source",
            name="key",
            field=models.CharField(
                help_text=tumours.citations.KEY_HELP,
                max_length=60,
                validators=[tumours.citations.validate_source_key],
            ),
        ),
    ]
