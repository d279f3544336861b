from django.core.management.base import BaseCommand

from tumours.services import publish_due_changes


class Command(BaseCommand):
    help = (
        "Put live every approved change whose scheduled time has come. The worker and the first public request "
        "after that time do this already; run it from cron as a safety net."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"{publish_due_changes()} scheduled change(s) put live.")
