import getpass
import json

from django.core.management.base import BaseCommand, CommandError

from orders.personal_data import export_for
from orders.services import record_subject_access


class Command(BaseCommand):
    help = (
        "Write everything held about the person who used this e-mail address (their requests with every field, "
        "timeline, notes, e-mails, CRM deliveries and who opened them) as JSON on standard output: the answer to a "
        "subject-access request. The access log records that it was run and by whom, not the address."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--by", help="Who runs it, for the access log (default: the login name on this machine).")

    def handle(self, *args, email, by, **options):
        if "@" not in email:
            raise CommandError("Give the e-mail address the person used.")
        data = export_for(email)
        record_subject_access(data=data, user=None, username=f"{by or getpass.getuser()} (command line)")
        self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
