"""What the tests of test kit pages share: a kit as the site has it before its page exists, a tumour page that
offers it, and the kit's page put live through a draft and an approval."""

import pytest

from tests.factories import SectionFactory, SourceFactory, TumourFactory
from tumours import services

KIT_SECTIONS = [
    {"heading": "How it works", "body": "A sample of the tumour goes to our laboratory."},
    {"heading": "The sample we need", "body": "Tissue already taken at biopsy or surgery."},
]


@pytest.fixture
def offering_page(kit):
    """A live tumour page whose kit box offers the kit."""
    tumour = TumourFactory(name="Leiomyosarcoma", slug="leiomyosarcoma", also_known_as="LMS", test_kits=[kit])
    SectionFactory(tumour=tumour)
    SourceFactory(tumour=tumour)
    return tumour


@pytest.fixture
def kit_page(kit, editor, reviewer):
    """The kit's page with two sections, approved by a reviewer and live."""
    services.save_draft(kit=kit, by=editor, sections=KIT_SECTIONS)
    services.submit_for_review(kit=kit, by=editor)
    services.approve(kit=kit, by=reviewer)
    kit.refresh_from_db()
    return kit
