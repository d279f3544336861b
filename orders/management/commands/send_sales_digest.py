from django.core.management.base import BaseCommand

from orders.digest import send_digests


class Command(BaseCommand):
    help = (
        "E-mail each Sales team member their overdue first contacts (and the unassigned overdue ones) and their "
        "follow-ups due today; nothing to those with none. Run every working morning (see README)."
    )

    def handle(self, *args, **options):
        sent = send_digests()
        self.stdout.write(f"{sent} digest(s) sent.")
