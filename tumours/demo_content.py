"""The site's first page, from the seed it was created from (text adapted from Wikipedia, CC BY-SA 4.0)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from oncosite.roles import CLINICAL_EDITORS, CLINICAL_REVIEWERS

from . import services
from .editorial import ReviewerProfile
from .models import TestKit, Tumour

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
    "key": "wikipedia-lms",
    "url": "https://en.wikipedia.org/wiki/Leiomyosarcoma",
    "publisher": "Wikipedia",
    "licence": "CC BY-SA 4.0",
    "licence_url": "https://creativecommons.org/licenses/by-sa/4.0/",
}


# The demo page goes live the only way any page does: an editor's draft, approved by a second person.
# Both accounts exist for that alone: no password (they cannot log in) and no e-mail address.
DEMO_EDITOR = {"username": "demo-editor", "first_name": "Demo", "last_name": "Editor"}
DEMO_REVIEWER = {"username": "demo-reviewer", "first_name": "Helen", "last_name": "Marsh"}
DEMO_REVIEWER_PROFILE = {"display_name": "Dr Helen Marsh", "role": "Consultant Medical Oncologist"}


@transaction.atomic
def load_demo_content() -> Tumour:
    """Create or refresh the demo kit page and tumour page; running it again changes nothing."""
    editor, reviewer = _demo_staff()
    # The kit's page says only what the seed says of it: its description. Its sections are for editors to write,
    # so they are left as they are (none, on a new site).
    kit = TestKit.objects.filter(slug=ONCOFOCUS["slug"]).first() or TestKit()
    _publish(editor, reviewer, kit=kit, fields=ONCOFOCUS)
    kit = TestKit.objects.get(slug=ONCOFOCUS["slug"])
    tumour = Tumour.objects.filter(slug=LEIOMYOSARCOMA["slug"]).first() or Tumour()
    _publish(editor, reviewer, tumour=tumour, **_demo_content(tumour, kit))
    return Tumour.objects.get(slug=LEIOMYOSARCOMA["slug"])


def cited(text: str, key: str = WIKIPEDIA_SOURCE["key"]) -> str:
    """Every paragraph of the seed comes from the Wikipedia article: each cites it at its end."""
    return "\n\n".join(f"{paragraph} [@{key}]" for paragraph in text.strip().split("\n\n")) + "\n"


def _publish(editor, reviewer, **page_and_content) -> None:
    """Save the demo content as the page's draft and have it approved, unless the live page already says it."""
    page = {name: page_and_content.pop(name) for name in ("tumour", "kit") if name in page_and_content}
    draft = services.draft_of(next(iter(page.values())))
    if draft is not None and not draft.is_editable:
        services.withdraw(**page, by=editor)
    draft = services.save_draft(**page, by=editor, comment="Demo content loaded.", **page_and_content)
    if draft is not None:
        services.submit_for_review(**page, by=editor)
        services.approve(**page, by=reviewer)


def _demo_content(tumour: Tumour, kit: TestKit) -> dict:
    # The ids of rows already there, so that an unchanged page compares equal and nothing is saved.
    sections = dict(tumour.sections.values_list("heading", "pk")) if tumour.pk else {}
    sources = dict(tumour.sources.values_list("url", "pk")) if tumour.pk else {}
    return {
        "fields": {**LEIOMYOSARCOMA, "summary": cited(LEIOMYOSARCOMA["summary"]), "test_kits": [kit.pk]},
        "sections": [
            {"id": sections.get(heading), "heading": heading, "body": cited(body)} for heading, body in SECTIONS
        ],
        "sources": [{"id": sources.get(WIKIPEDIA_SOURCE["url"]), **WIKIPEDIA_SOURCE}],
    }


def _demo_staff():
    users = get_user_model()
    editor, _ = users.objects.get_or_create(username=DEMO_EDITOR["username"], defaults=DEMO_EDITOR)
    reviewer, _ = users.objects.get_or_create(username=DEMO_REVIEWER["username"], defaults=DEMO_REVIEWER)
    for user, group in ((editor, CLINICAL_EDITORS), (reviewer, CLINICAL_REVIEWERS)):
        if user.has_usable_password():
            user.set_unusable_password()
            user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=group))
    ReviewerProfile.objects.update_or_create(user=reviewer, defaults=DEMO_REVIEWER_PROFILE)
    # Permissions are cached on the user object; these were just granted.
    return users.objects.get(pk=editor.pk), users.objects.get(pk=reviewer.pk)
