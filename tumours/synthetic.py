"""SYNTHETIC tumour pages for benchmarks only: made-up names and text, never part of the demo or the real site.

They are written straight to the page rows, published without review, so they are refused on a database that
holds any page but the demo page: that is a real site, where only an approval publishes.
"""

import itertools
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .demo_content import LEIOMYOSARCOMA
from .models import Section, TestKit, Tumour, summary_plain_text

DEMO_SLUG = LEIOMYOSARCOMA["slug"]

SLUG_PREFIX = "synthetic-"
SECTION_HEADINGS = ["Overview", "Location", "Symptoms", "Diagnosis", "Staging", "Treatment", "Prognosis", "Research"]
WORDS = ["spindle", "cell", "myxoid", "fibrous", "vascular", "neural", "clear", "round", "giant", "epithelioid"]
TISSUES = ["sarcoma", "carcinoma", "blastoma", "lymphoma", "glioma", "melanoma", "mesothelioma", "adenoma"]
NOTICE = "**Synthetic benchmark page.** Made-up text for load tests; not medical information."
BODY = (
    "Synthetic text for the benchmark. It is long enough to look like a real section, with *emphasis*, "
    "a [link](https://www.example.org/) and a list:\n\n- first point\n- second point\n- third point\n\n"
)


def synthetic_name(number: int) -> str:
    word = WORDS[number % len(WORDS)]
    tissue = TISSUES[(number // len(WORDS)) % len(TISSUES)]
    return f"Synthetic {word} {tissue} {number:05d}"


def _summary(number: int) -> str:
    return f"{NOTICE}\n\n{synthetic_name(number)} is a synthetic tumour used to measure the site under load."


class RealSiteError(Exception):
    pass


@transaction.atomic
def generate_synthetic_tumours(*, count: int, batch_size: int = 1000) -> int:
    """Create `count` published synthetic tumours with 8 sections each (continuing any already there)."""
    real = Tumour.objects.exclude(slug__startswith=SLUG_PREFIX).exclude(slug=DEMO_SLUG)
    if real.exists():
        raise RealSiteError("This database holds real tumour pages: synthetic pages go only into benchmark databases.")
    start = Tumour.objects.filter(slug__startswith=SLUG_PREFIX).count()
    published_at = timezone.now() - timedelta(days=1)
    kit = TestKit.objects.first()
    numbers = range(start, start + count)
    for batch in _batched(numbers, batch_size):
        tumours = Tumour.objects.bulk_create(
            Tumour(
                name=synthetic_name(n),
                slug=f"{SLUG_PREFIX}{n:05d}",
                summary=_summary(n),
                summary_text=summary_plain_text(_summary(n)),  # bulk_create does not call Tumour.save
                status=Tumour.Status.PUBLISHED,
                published_at=published_at,
            )
            for n in batch
        )
        Section.objects.bulk_create(
            Section(tumour=tumour, heading=heading, body=BODY * 3, position=position)
            for tumour in tumours
            for position, heading in enumerate(SECTION_HEADINGS)
        )
        if kit:
            Tumour.test_kits.through.objects.bulk_create(
                Tumour.test_kits.through(tumour=tumour, testkit=kit) for tumour in tumours
            )
    return count


def delete_synthetic_tumours() -> int:
    deleted, _ = Tumour.objects.filter(slug__startswith=SLUG_PREFIX).delete()
    return deleted


def _batched(iterable, size):  # itertools.batched arrives with Python 3.12
    iterator = iter(iterable)
    while batch := tuple(itertools.islice(iterator, size)):
        yield batch
