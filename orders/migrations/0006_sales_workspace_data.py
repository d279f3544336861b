# Fills the new sales-workspace fields of existing requests, and adds the four standard e-mail templates.
# Uses the app's pure helpers (phone parsing, the working week) rather than copies: they touch no models.

from django.db import migrations
from django.db.models import Max, Min

from orders.phones import to_e164
from orders.working_hours import first_contact_due

FORWARD = ["contacted", "consent_received", "sample_received", "report_issued"]

TEMPLATES = [
    (
        "First contact",
        "Your test request {{ reference }}",
        "Dear {{ first_name }},\n\n"
        "Thank you for your request for an {{ test_kit }} test (reference {{ reference }}). I am {{ owner_name }} "
        "from Oncosite and will look after your request.\n\n"
        "I tried to reach you to explain the test and the next steps. Please reply to this e-mail with a good time "
        "to call you, or with any questions.\n\n"
        "Kind regards,\n{{ owner_name }}\nOncosite",
    ),
    (
        "Consent form",
        "Your consent form for request {{ reference }}",
        "Dear {{ first_name }},\n\n"
        "Thank you for talking with us about the {{ test_kit }} test. Before we can go ahead we need your written "
        "consent. Please read the consent form we will send you separately, sign it and return it as explained "
        "there.\n\n"
        "If anything is unclear, reply to this e-mail and we will help.\n\n"
        "Kind regards,\n{{ owner_name }}\nOncosite",
    ),
    (
        "Sample kit sent",
        "Sample kit on its way for request {{ reference }}",
        "Dear {{ first_name }},\n\n"
        "We have sent the sample kit for your {{ test_kit }} test to your care team, who will arrange for a tumour "
        "sample to be sent to our laboratory. You do not need to do anything yourself.\n\n"
        "You can follow your request here: {{ status_url }}\n\n"
        "Kind regards,\n{{ owner_name }}\nOncosite",
    ),
    (
        "Report issued",
        "Update on your request {{ reference }}",
        "Dear {{ first_name }},\n\n"
        "Your {{ test_kit }} report has been sent to your clinician, who will talk it through with you. We do not "
        "send results directly to patients, so that someone who knows your care can explain them.\n\n"
        "Thank you for choosing Oncosite.\n\n"
        "Kind regards,\n{{ owner_name }}\nOncosite",
    ),
]


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
    EmailTemplate = apps.get_model("orders", "EmailTemplate")
    for position, (name, subject, body) in enumerate(TEMPLATES):
        EmailTemplate.objects.get_or_create(name=name, defaults={"subject": subject, "body": body, "position": position})


FIELDS = ["phone_e164", "first_contact_due_at", "first_contacted_at", "last_activity_at", "close_reason"]


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0005_sales_workspace"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
