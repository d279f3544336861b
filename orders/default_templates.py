"""The four e-mail templates every installation starts with (added by migration 0006; superusers edit them in
the admin afterwards)."""

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


def add_default_templates(model) -> None:
    """Add the missing ones (model: EmailTemplate, or its historical version in a migration)."""
    for position, (name, subject, body) in enumerate(TEMPLATES):
        model.objects.get_or_create(name=name, defaults={"subject": subject, "body": body, "position": position})
