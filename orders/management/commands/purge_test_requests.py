from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from orders.models import TestRequest
from orders.services import anonymise


class Command(BaseCommand):
    help = (
        "Anonymise test requests closed (report issued, lost, spam) more than ORDER_RETENTION_DAYS ago, and "
        "those still new after as long. Run daily (see README)."
    )

    def handle(self, *args, **options):
        cutoff = timezone.now() - timedelta(days=settings.ORDER_RETENTION_DAYS)
        expired = TestRequest.objects.annotate(closed=Coalesce("closed_at", "updated_at")).filter(
            Q(status__in=TestRequest.CLOSED_STATUSES, closed__lt=cutoff)
            | Q(status=TestRequest.Status.NEW, created_at__lt=cutoff)
        )
        erased = anonymise(expired)
        self.stdout.write(f"Anonymised {erased} request(s) older than {settings.ORDER_RETENTION_DAYS} days.")
