from django.conf import settings
from django.db import migrations


class Migration(migrations.Migration):
    # A request's pipeline moves, named apart from the tumour pages' editorial events.

    dependencies = [
        ("orders", "0009_crm_webhooks_subject_access"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel(old_name="StatusChange", new_name="RequestStatusChange"),
    ]
