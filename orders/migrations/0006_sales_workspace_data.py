# Fills the new sales-workspace fields of existing requests, and adds the four standard e-mail templates.
# Uses the app's pure helpers (phone parsing, the working week, the templates' wording) rather than copies: they
# take the model they work on as an argument, or none.

from django.db import migrations
from django.db.models import Max, Min

from orders.default_templates import add_default_templates
from orders.phones import to_e164
from orders.working_hours import first_contact_due

FORWARD = ["contacted", "consent_received", "sample_received", "report_issued"]



def fill(apps, schema_editor):
    TestRequest = apps.get_model("orders", "TestRequest")
    StatusChange = apps.get_model("orders", "StatusChange")
    InternalNote = apps.get_model("orders", "InternalNote")
    contacted = dict(
        StatusChange.objects.filter(to_status__in=FORWARD)
        .values("test_request")
        .annotate(first=Min("changed_at"))
        .values_list("test_request", "first")
    )
    latest = dict(
        StatusChange.objects.values("test_request").annotate(last=Max("changed_at")).values_list("test_request", "last")
    )
    noted = dict(
        InternalNote.objects.values("test_request").annotate(last=Max("created_at")).values_list("test_request", "last")
    )
    batch = []
    for request in TestRequest.objects.order_by("pk").iterator(chunk_size=2000):
        request.phone_e164 = to_e164(request.phone, request.country) if request.phone else ""
        request.first_contact_due_at = first_contact_due(request.created_at)
        request.first_contacted_at = contacted.get(request.pk)
        request.last_activity_at = max(d for d in (request.created_at, latest.get(request.pk), noted.get(request.pk)) if d)
        if request.status in ("lost", "spam"):
            request.close_reason = "other"
        batch.append(request)
        if len(batch) == 2000:
            TestRequest.objects.bulk_update(batch, FIELDS)
            batch = []
    TestRequest.objects.bulk_update(batch, FIELDS)
    add_default_templates(apps.get_model("orders", "EmailTemplate"))


FIELDS = ["phone_e164", "first_contact_due_at", "first_contacted_at", "last_activity_at", "close_reason"]


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0005_sales_workspace"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
