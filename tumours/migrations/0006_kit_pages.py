"""Every test kit has its own page (issue "Discover Oncofocus Today"), edited through drafts and approval.

A kit's row gains what a tumour page's has (status, review record, live revision) and its own ordered sections.
What the public sees stays exactly as it was: each kit keeps its name, address and description, still shown in
the kit box of every tumour page that offers it, and its page is not published until a reviewer approves a draft
of it. Each kit gets one revision of that content as its live revision, the start of its history.
"""

import django.db.models.deletion
import django.utils.timezone
import markdownx.models
import tumours.validators
from django.conf import settings
from django.db import migrations, models

KIT_FIELDS = ("name", "slug", "description")


def _text(value):
    # As tumours/content.py spells content values, so the first edit compares equal to what was there.
    text = ("" if value is None else str(value)).replace("\r\n", "\n").replace("\r", "\n").rstrip()
    return text if "\n" in text else text.strip()


def kits_to_pages(apps, schema_editor):
    TestKit = apps.get_model("tumours", "TestKit")
    if not TestKit.objects.exists():
        return
    ContentType = apps.get_model("contenttypes", "ContentType")
    Revision = apps.get_model("tumours", "Revision")
    kit_type, _ = ContentType.objects.get_or_create(app_label="tumours", model="testkit")
    now = django.utils.timezone.now()
    for kit in TestKit.objects.order_by("pk"):
        revision = Revision.objects.create(
            content_type=kit_type,
            object_id=kit.pk,
            content={"fields": {name: _text(getattr(kit, name)) for name in KIT_FIELDS}, "sections": []},
            created_at=now,
            comment="The kit's description as tumour pages showed it before kit pages.",
        )
        # update(), not save(): the kit's row, its description included, stays byte for byte as it was.
        TestKit.objects.filter(pk=kit.pk).update(live_revision=revision)


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('tumours', '0005_content_limits'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='testkit',
            options={'ordering': ['name'], 'permissions': [('publish_testkit', 'Can approve, schedule and unpublish test kit pages')], 'verbose_name': 'test kit'},
        ),
        migrations.AddField(
            model_name='testkit',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True, default=django.utils.timezone.now),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='testkit',
            name='first_published_at',
            field=models.DateTimeField(blank=True, editable=False, help_text='Set once, when the page is first published.', null=True),
        ),
        migrations.AddField(
            model_name='testkit',
            name='last_reviewed_on',
            field=models.DateField(blank=True, help_text='When a clinical reviewer last checked the whole page. Shown to the public.', null=True),
        ),
        migrations.AddField(
            model_name='testkit',
            name='live_revision',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='tumours.revision'),
        ),
        migrations.AddField(
            model_name='testkit',
            name='next_review_due',
            field=models.DateField(blank=True, help_text='When the page must be checked again: 12 months after the last clinical review, unless the approving reviewer chose another date.', null=True),
        ),
        migrations.AddField(
            model_name='testkit',
            name='published_at',
            field=models.DateTimeField(blank=True, editable=False, help_text='When the live version of the page went live.', null=True),
        ),
        migrations.AddField(
            model_name='testkit',
            name='reviewed_by',
            field=models.CharField(blank=True, editable=False, help_text="The approving reviewer's name and role as shown to the public, from their reviewer profile when they approved a clinical review.", max_length=250, validators=[tumours.validators.validate_single_line]),
        ),
        migrations.AddField(
            model_name='testkit',
            name='reviewer',
            field=models.ForeignKey(blank=True, editable=False, help_text='The account that approved the last clinical review.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='testkit',
            name='status',
            field=models.CharField(choices=[('draft', 'Not published'), ('published', 'Published')], db_index=True, default='draft', editable=False, help_text='Whether the public sees the page. Changed only by approving a draft or unpublishing.', max_length=20),
        ),
        migrations.AddField(
            model_name='testkit',
            name='updated_at',
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.AlterField(
            model_name='testkit',
            name='description',
            field=markdownx.models.MarkdownxField(help_text='The kit in a few sentences: the start of its page, and the kit box on every tumour page that offers it. Markdown.', validators=[tumours.validators.validate_kit_description]),
        ),
        migrations.AlterField(
            model_name='testkit',
            name='slug',
            field=models.SlugField(help_text="The kit page's address, /tests/&lt;slug&gt;/: lower-case letters, numbers and hyphens. It cannot change once the page has been public.", max_length=100, unique=True),
        ),
        migrations.CreateModel(
            name='KitSection',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('heading', models.CharField(help_text="Shown as the section's heading, e.g. Treatment.", max_length=200, validators=[tumours.validators.validate_single_line])),
                ('body', markdownx.models.MarkdownxField(help_text="The section's text. Markdown; the preview shows exactly what visitors see.", validators=[tumours.validators.validate_section_body])),
                ('position', models.PositiveIntegerField(default=0, help_text='Sections are shown in ascending order.')),
                ('kit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sections', to='tumours.testkit')),
            ],
            options={
                'verbose_name': 'kit page section',
                'ordering': ['position', 'id'],
                'abstract': False,
            },
        ),
        migrations.RunPython(kits_to_pages, migrations.RunPython.noop, elidable=False),
    ]
