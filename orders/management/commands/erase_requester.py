from django.core.management.base import BaseCommand, CommandError

from orders.models import TestRequest
from orders.services import anonymise


class Command(BaseCommand):
    help = (
        "Erase a person's name, e-mail, phone, message and notes from every test request made with this e-mail "
        "address, keeping the anonymous rows for statistics."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        email = email.strip()
        if "@" not in email:
            raise CommandError("Give the e-mail address the person used.")
        erased = anonymise(TestRequest.objects.filter(email__iexact=email))
        self.stdout.write(f"Erased {erased} request(s).")
