"""The site's first page, from the seed it was created from (text adapted from Wikipedia, CC BY-SA 4.0)."""

import reversion
from django.db import transaction
from django.utils import timezone

from .models import REVIEW_INTERVAL_MONTHS, Section, Source, TestKit, Tumour, add_months

ONCOFOCUS = {
    "name": "Oncofocus",
    "slug": "oncofocus",
    "description": (
        "Oncofocus is the world’s most comprehensive precision oncology test that precisely identifies "
        "the right drug for your cancer thereby increasing your chances of successful treatment."
    ),
}

LEIOMYOSARCOMA = {
    "name": "Leiomyosarcoma",
    "slug": "leiomyosarcoma",
    "also_known_as": "LMS",
    "summary": """\
Leiomyosarcoma (Gr. “smooth muscle connective tissue tumor”), also referred to as LMS, is a malignant (cancerous) smooth muscle tumor. It must not be confused with leiomyoma, which is a benign tumor originating from the same tissue. It is also important to note that leiomyosarcomas do not arise from leiomyomas.

Leiomyosarcoma is a relatively rare form of cancer, and accounts for 5–10% of soft tissue sarcomas, which are in themselves relatively rare. Leiomyosarcomas can be very unpredictable. They can remain dormant for long periods of time and recur after years. It is a resistant cancer, meaning generally not very responsive to chemotherapy or radiation. The best outcomes occur when it can be removed surgically with wide margins early, while small and still in situ.
""",  # noqa: E501
}

SECTIONS = [
    (
        "Location",
        """\
Smooth muscle cells make up the involuntary muscles, which are found in most parts of the body, including the uterus, stomach and intestines, the walls of all blood vessels, and the skin. It is therefore possible for leiomyosarcomas to appear at any site in the body. They are most commonly found in the uterus, stomach, small intestine and retroperitoneum.

Uterine leiomyosarcomas come from the smooth muscle in the muscle layer of the uterus. Cutaneous leiomyosarcomas derive from the pilo-erector muscles in the skin. Gastrointestinal leiomyosarcomas might come from smooth muscle in the GI tract or, alternatively, also from a blood vessel. At most other primary sites—retroperitoneal extremity (in the abdomen, behind the intestines), truncal, abdominal organs, etc.—leiomyosarcomas appear to grow from the muscle layer of a blood vessel (the tunica media). Thus a leiomyosarcoma can have a primary site of origin anywhere in the body where there is a blood vessel.

The tumors are usually hemorrhagic and soft and microscopically marked by pleomorphism, abundant (15–30 per 10 high power fields) abnormal mitotic figures, and coagulative tumor cell necrosis.
""",  # noqa: E501
    ),
    (
        "Treatment",
        """\
Surgery, with as wide a margin of removal as possible, has generally been the most effective and preferred way to attack LMS. If surgical margins are narrow or not clear of tumor, however, or in some situations where tumor cells were left behind, chemotherapy or radiation has been shown to give a clear survival benefit.

While LMS tends to be resistant to radiation and chemotherapy, each case is different and results can vary widely.

LMS of uterine origin do frequently, but not always respond to hormonal treatments.
""",  # noqa: E501
    ),
]

WIKIPEDIA_SOURCE = {
    "title": "Leiomyosarcoma",
    "url": "https://en.wikipedia.org/wiki/Leiomyosarcoma",
    "publisher": "Wikipedia",
    "licence": "CC BY-SA 4.0",
    "licence_url": "https://creativecommons.org/licenses/by-sa/4.0/",
}


DEMO_REVIEWER = "Dr Helen Marsh, Consultant Medical Oncologist"


@transaction.atomic
def load_demo_content() -> Tumour:
    """Create or refresh the demo kit and page; running it again leaves one copy of each."""
    reviewed_on = timezone.localdate()
    review = {
        "last_reviewed_on": reviewed_on,
        "next_review_due": add_months(reviewed_on, REVIEW_INTERVAL_MONTHS),
        "reviewed_by": DEMO_REVIEWER,
    }
    with reversion.create_revision():
        reversion.set_comment("Demo content loaded.")
        return _load(review)


def _load(review: dict) -> Tumour:
    kit, _ = TestKit.objects.update_or_create(slug=ONCOFOCUS["slug"], defaults=ONCOFOCUS)
    tumour, _ = Tumour.objects.update_or_create(
        slug=LEIOMYOSARCOMA["slug"],
        defaults={**LEIOMYOSARCOMA, **review, "status": Tumour.Status.PUBLISHED},
    )
    tumour.test_kits.add(kit)
    for position, (heading, body) in enumerate(SECTIONS, start=1):
        Section.objects.update_or_create(tumour=tumour, heading=heading, defaults={"body": body, "position": position})
    Source.objects.update_or_create(
        tumour=tumour, url=WIKIPEDIA_SOURCE["url"], defaults={**WIKIPEDIA_SOURCE, "position": 1}
    )
    return tumour
