from django.core.management.base import BaseCommand

from orders.notifications import send_pending
from tumours import emails as editorial_emails


class Command(BaseCommand):
    help = (
        "Try every queued e-mail now, request notifications and editorial e-mails to staff alike "
        "(after a mail-server outage, or from cron as a safety net)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--due", action="store_true", help="Only those whose back-off time has passed.")

    def handle(self, *args, due, **options):
        done, queued = send_pending(due_only=due)
        self.stdout.write(f"{done} notification(s) sent or cancelled, {queued} still queued.")
        done, queued = editorial_emails.send_pending(due_only=due)
        self.stdout.write(f"{done} editorial e-mail(s) sent, {queued} still queued.")
