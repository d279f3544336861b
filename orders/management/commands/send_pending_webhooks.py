from django.core.management.base import BaseCommand

from orders.webhooks import send_pending


class Command(BaseCommand):
    help = (
        "Post the CRM deliveries whose back-off has passed (from cron, as a safety net for the task queue); "
        "--all tries every pending one now, e.g. after the CRM was down."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all", dest="every", action="store_true", help="Every pending delivery, not only those due."
        )

    def handle(self, *args, every, **options):
        done, pending = send_pending(due_only=not every)
        self.stdout.write(f"{done} CRM delivery(ies) delivered or stopped, {pending} still pending.")
