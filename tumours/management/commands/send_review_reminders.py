from django.core.management.base import BaseCommand

from tumours.models import REVIEW_WARNING_DAYS
from tumours.reminders import send_review_reminders


class Command(BaseCommand):
    help = (
        "E-mail the Clinical reviewers group the pages overdue or due for review within "
        f"{REVIEW_WARNING_DAYS} days, and the link problems check_links found since the last reminder. Run daily."
    )

    def handle(self, *args, **options):
        pages, recipients = send_review_reminders()
        if pages and not recipients:
            self.stderr.write(self.style.WARNING(f"{pages} page(s) need review but no active reviewer has an e-mail."))
        else:
            self.stdout.write(f"{pages} page(s) need review; reminder sent to {recipients} reviewer(s).")
