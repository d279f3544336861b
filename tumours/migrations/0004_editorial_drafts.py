"""Drafts and approval (issue "Live pages stay online while they change").

Every page keeps exactly what the public sees: published pages stay live with their text, dates and reviewer.
Each page gets a revision of its current content (live pages: as their live revision), the old django-reversion
history becomes revisions too (read from its tables where they exist), and the old status changes become
editorial events. A page in review keeps its place in review as a draft awaiting review; a page published for a
future time becomes a draft scheduled for that time.
"""

import json
from collections import defaultdict

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

PAGE_FIELDS = ("name", "slug", "also_known_as", "summary")
SECTION_FIELDS = ("heading", "body")
SOURCE_FIELDS = ("title", "url", "publisher", "accessed_on", "licence", "licence_url")
EVENT_KINDS = {
    ("", "draft"): ("created", ""),
    ("", "in_review"): ("created", ""),
    ("draft", "in_review"): ("submitted", ""),
    ("in_review", "draft"): ("withdrawn", "Returned to draft."),
    ("in_review", "published"): ("went_live", "Published in one step (before drafts and approval)."),
    ("published", "draft"): ("unpublished", "Unpublished (no reason was asked for then)."),
}


def _text(value):
    text = ("" if value is None else str(value)).replace("\r\n", "\n").replace("\r", "\n").rstrip()
    return text if "\n" in text else text.strip()


def _content(fields, kits, sections, sources):
    ordered = lambda rows: sorted(rows, key=lambda r: (r.get("position") or 0, r.get("id") or 0))  # noqa: E731
    return {
        "fields": {**{name: _text(fields.get(name)) for name in PAGE_FIELDS}, "test_kits": sorted(set(kits))},
        "sections": [{"id": r.get("id"), **{n: _text(r.get(n)) for n in SECTION_FIELDS}} for r in ordered(sections)],
        "sources": [{"id": r.get("id"), **{n: _text(r.get(n)) for n in SOURCE_FIELDS}} for r in ordered(sources)],
    }


def _reversion_history(connection):
    """{tumour id: [(date, user id, comment, content), ...]} from django-reversion's tables, oldest first."""
    if "reversion_version" not in connection.introspection.table_names():
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT v.revision_id, ct.model, v.object_id, v.serialized_data, r.date_created, r.user_id, r.comment "
            "FROM reversion_version v JOIN reversion_revision r ON r.id = v.revision_id "
            "JOIN django_content_type ct ON ct.id = v.content_type_id "
            "WHERE ct.app_label = 'tumours' AND ct.model IN ('tumour', 'section', 'source') "
            "ORDER BY r.date_created, r.id"
        )
        rows = cursor.fetchall()
    revisions = defaultdict(lambda: {"tumours": {}, "section": [], "source": []})
    for revision_id, model, object_id, data, created, user_id, comment in rows:
        entry = revisions[revision_id]
        entry["meta"] = (created, user_id, comment or "")
        fields = json.loads(data)[0]["fields"]
        if model == "tumour":
            entry["tumours"][int(object_id)] = fields
        else:
            entry[model].append({"id": int(object_id), **fields})
    history = defaultdict(list)
    for entry in revisions.values():
        for tumour_id, fields in entry["tumours"].items():
            sections = [r for r in entry["section"] if r.get("tumour") == tumour_id]
            sources = [r for r in entry["source"] if r.get("tumour") == tumour_id]
            content = _content(fields, fields.get("test_kits") or [], sections, sources)
            history[tumour_id].append((*entry["meta"], content))
    return history


def to_drafts_and_revisions(apps, schema_editor):
    Tumour = apps.get_model("tumours", "Tumour")
    if not Tumour.objects.exists():
        return
    ContentType = apps.get_model("contenttypes", "ContentType")
    Revision = apps.get_model("tumours", "Revision")
    Draft = apps.get_model("tumours", "Draft")
    EditorialEvent = apps.get_model("tumours", "EditorialEvent")
    StatusChange = apps.get_model("tumours", "StatusChange")
    page_type, _ = ContentType.objects.get_or_create(app_label="tumours", model="tumour")
    history = _reversion_history(schema_editor.connection)
    changes = defaultdict(list)
    for change in StatusChange.objects.order_by("changed_at", "pk"):
        changes[change.tumour_id].append(change)
    now = django.utils.timezone.now()
    pages = Tumour.objects.prefetch_related("sections", "sources", "test_kits").order_by("pk")
    for chunk in _chunks(pages.iterator(chunk_size=1000), 1000):
        _migrate_pages(chunk, page_type, history, changes, now, Revision, Draft, EditorialEvent, Tumour)


def _chunks(iterable, size):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _is_live(tumour, now):
    return tumour.status == "published" and tumour.published_at is not None and tumour.published_at <= now


def _migrate_pages(pages, page_type, history, changes, now, Revision, Draft, EditorialEvent, Tumour):
    page = {"content_type": page_type}
    revisions, current = [], {}
    for tumour in pages:
        content = _content(
            {name: getattr(tumour, name) for name in PAGE_FIELDS},
            [kit.pk for kit in tumour.test_kits.all()],
            [{"id": s.pk, "position": s.position, **{n: getattr(s, n) for n in SECTION_FIELDS}} for s in tumour.sections.all()],
            [{"id": s.pk, "position": s.position, **{n: getattr(s, n) for n in SOURCE_FIELDS}} for s in tumour.sources.all()],
        )
        old = history.get(tumour.pk, [])
        for created, user_id, comment, old_content in old:
            revisions.append(Revision(**page, object_id=tumour.pk, content=old_content, created_at=created,
                                      created_by_id=user_id, comment=comment[:300]))
        if not (old and old[-1][3] == content):
            revisions.append(Revision(**page, object_id=tumour.pk, content=content, created_at=tumour.updated_at,
                                      comment="The page as it was when drafts and approval were introduced."))
        current[tumour.pk] = revisions[-1]
        if _is_live(tumour, now):
            revisions[-1].went_live_at = revisions[-1].approved_at = tumour.published_at
    Revision.objects.bulk_create(revisions)
    drafts, events = [], []
    for tumour in pages:
        revision = current[tumour.pk]
        moves = changes.get(tumour.pk, [])
        last_by = {move.to_status: move for move in moves}
        if tumour.status == "published" and not _is_live(tumour, now):
            # Published for a future time: an approved draft scheduled for it; the review record stays on the row.
            approval = last_by.get("published")
            drafts.append(Draft(**page, object_id=tumour.pk, revision=revision, state="scheduled",
                                go_live_at=tumour.published_at, approved_at=approval.changed_at if approval else now,
                                approved_by_id=approval.changed_by_id if approval else None, clinical_review=False,
                                updated_by_id=revision.created_by_id))
        elif tumour.status != "published":
            submitted = last_by.get("in_review") if tumour.status == "in_review" else None
            drafts.append(Draft(**page, object_id=tumour.pk, revision=revision,
                                state="in_review" if tumour.status == "in_review" else "editing",
                                submitted_at=submitted.changed_at if submitted else None,
                                submitted_by_id=submitted.changed_by_id if submitted else None,
                                updated_by_id=revision.created_by_id, updated_at=tumour.updated_at))
        for move in moves:
            kind, comment = EVENT_KINDS.get((move.from_status, move.to_status), ("created", ""))
            events.append(EditorialEvent(**page, object_id=tumour.pk, kind=kind, comment=comment,
                                         at=move.changed_at, by_id=move.changed_by_id))
    Draft.objects.bulk_create(drafts)
    EditorialEvent.objects.bulk_create(events)
    # Only the workflow columns change, a few statements per chunk (bulk_update's CASE per row took most of the
    # time at 10,000 pages); the rows' content and updated_at stay exactly as they were.
    live = [t.pk for t in pages if _is_live(t, now)]
    went_live = Revision.objects.filter(content_type=page_type, object_id=OuterRef("pk"), went_live_at__isnull=False)
    Tumour.objects.filter(pk__in=live).update(live_revision=Subquery(went_live.order_by("-pk").values("pk")[:1]))
    later = [t.pk for t in pages if t.status == "published" and not _is_live(t, now)]
    Tumour.objects.filter(pk__in=later).update(status="draft", published_at=None, first_published_at=None)
    Tumour.objects.filter(pk__in=[t.pk for t in pages], status="in_review").update(status="draft")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('tumours', '0003_merge_review_workflow_and_search'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='EditorialEmail',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('to', models.JSONField(help_text='The staff addresses it goes to.')),
                ('subject', models.CharField(max_length=200)),
                ('body', models.TextField()),
                ('state', models.CharField(choices=[('queued', 'Queued'), ('sent', 'Sent')], db_index=True, default='queued', max_length=20)),
                ('attempts', models.PositiveIntegerField(default=0)),
                ('last_error', models.CharField(blank=True, max_length=200)),
                ('next_attempt_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'ordering': ['created_at', 'pk'],
            },
        ),
        migrations.AlterModelOptions(
            name='tumour',
            options={'ordering': ['name'], 'permissions': [('publish_tumour', 'Can approve, schedule and unpublish tumour pages')]},
        ),
        migrations.AddField(
            model_name='tumour',
            name='reviewer',
            field=models.ForeignKey(blank=True, editable=False, help_text='The account that approved the last clinical review.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='tumour',
            name='next_review_due',
            field=models.DateField(blank=True, help_text='When the page must be checked again: 12 months after the last clinical review, unless the approving reviewer chose another date.', null=True),
        ),
        migrations.AlterField(
            model_name='tumour',
            name='published_at',
            field=models.DateTimeField(blank=True, editable=False, help_text='When the live version of the page went live.', null=True),
        ),
        migrations.AlterField(
            model_name='tumour',
            name='reviewed_by',
            field=models.CharField(blank=True, editable=False, help_text="The approving reviewer's name and role as shown to the public, from their reviewer profile when they approved a clinical review.", max_length=250),
        ),
        migrations.AlterField(
            model_name='tumour',
            name='slug',
            field=models.SlugField(help_text="The page's address, /tumours/&lt;slug&gt;/: lower-case letters, numbers and hyphens. Once the page has been public, its old addresses keep redirecting here.", max_length=200, unique=True),
        ),
        migrations.AlterField(
            model_name='tumour',
            name='status',
            field=models.CharField(choices=[('draft', 'Not published'), ('published', 'Published')], db_index=True, default='draft', editable=False, help_text='Whether the public sees the page. Changed only by approving a draft or unpublishing.', max_length=20),
        ),
        migrations.CreateModel(
            name='PreviewLink',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('object_id', models.PositiveBigIntegerField()),
                ('token_hash', models.CharField(max_length=64, unique=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('expires_at', models.DateTimeField()),
                ('revoked_at', models.DateTimeField(blank=True, null=True)),
                ('content_type', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='contenttypes.contenttype')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created_at'],
            },
        ),
        migrations.CreateModel(
            name='ReviewerProfile',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('display_name', models.CharField(help_text='As shown to the public, e.g. Dr Helen Marsh.', max_length=120)),
                ('role', models.CharField(help_text='As shown to the public, e.g. Consultant Medical Oncologist.', max_length=120)),
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='reviewer_profile', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'reviewer profile',
            },
        ),
        migrations.CreateModel(
            name='Revision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('object_id', models.PositiveBigIntegerField()),
                ('content', models.JSONField(help_text="The page's fields and child rows, as tumours/content.py writes them.")),
                ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ('comment', models.CharField(blank=True, max_length=300)),
                ('approved_at', models.DateTimeField(blank=True, null=True)),
                ('clinical_review', models.BooleanField(help_text='Whether the approval was a clinical review of the whole page (None: not approved).', null=True)),
                ('self_approved', models.BooleanField(default=False, help_text='Approved by the person who made the last change (only when four eyes is off).')),
                ('went_live_at', models.DateTimeField(blank=True, help_text='When this revision became the live page.', null=True)),
                ('approved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('content_type', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='contenttypes.contenttype')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='EditorialEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('object_id', models.PositiveBigIntegerField()),
                ('kind', models.CharField(choices=[('created', 'Created'), ('submitted', 'Submitted for review'), ('withdrawn', 'Withdrawn from review'), ('changes_requested', 'Changes requested'), ('approved', 'Approved'), ('went_live', 'Went live'), ('unpublished', 'Unpublished'), ('restored', 'Restored an earlier version as the draft'), ('preview_link', 'Preview link created'), ('preview_links_revoked', 'Preview links revoked')], max_length=30)),
                ('at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ('comment', models.TextField(blank=True)),
                ('by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('content_type', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='contenttypes.contenttype')),
                ('revision', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='tumours.revision')),
            ],
            options={
                'ordering': ['-at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='Draft',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('object_id', models.PositiveBigIntegerField()),
                ('state', models.CharField(choices=[('editing', 'Draft changes not yet live'), ('changes_requested', 'Changes requested'), ('in_review', 'Awaiting review'), ('scheduled', 'Scheduled')], db_index=True, default='editing', max_length=20)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('updated_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('submitted_at', models.DateTimeField(blank=True, null=True)),
                ('review_comment', models.TextField(blank=True, help_text="The reviewer's last request for changes.")),
                ('go_live_at', models.DateTimeField(blank=True, db_index=True, null=True)),
                ('approved_at', models.DateTimeField(blank=True, null=True)),
                ('clinical_review', models.BooleanField(default=True)),
                ('next_review_due', models.DateField(blank=True, null=True)),
                ('approved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('content_type', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='contenttypes.contenttype')),
                ('review_comment_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('submitted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('revision', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tumours.revision')),
            ],
        ),
        migrations.AddField(
            model_name='tumour',
            name='live_revision',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='tumours.revision'),
        ),
        migrations.RunPython(to_drafts_and_revisions, migrations.RunPython.noop, elidable=False),
        migrations.DeleteModel(
            name='StatusChange',
        ),
        migrations.AddIndex(
            model_name='revision',
            index=models.Index(fields=['content_type', 'object_id', '-created_at'], name='tumours_rev_content_a52c87_idx'),
        ),
        migrations.AddIndex(
            model_name='editorialevent',
            index=models.Index(fields=['content_type', 'object_id', '-at'], name='tumours_edi_content_e3a575_idx'),
        ),
        migrations.AddConstraint(
            model_name='draft',
            constraint=models.UniqueConstraint(fields=('content_type', 'object_id'), name='one_draft_per_page'),
        ),
    ]
