import pytest
from django.core.cache import caches
from django.test import Client

from oncosite.roles import CLINICAL_EDITORS, CLINICAL_REVIEWERS, SALES_TEAM
from tests.factories import SectionFactory, TestKitFactory, TumourFactory, UserFactory
from tumours import services
from tumours.demo_content import load_demo_content
from tumours.editorial import ReviewerProfile
from tumours.models import Tumour


@pytest.fixture(autouse=True)
def empty_cache():
    # The page cache and the request form's rate limit live in the cache, which outlives a test's
    # database rollback: every test starts from an empty one.
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.fixture
def demo_tumour(db):
    return load_demo_content()


@pytest.fixture
def kit(db):
    return TestKitFactory()


@pytest.fixture
def tumour_with_kit(kit):
    tumour = TumourFactory(test_kits=[kit])
    SectionFactory(tumour=tumour)
    return tumour


@pytest.fixture
def editor(db):
    return UserFactory(username="editor", groups=[CLINICAL_EDITORS])


@pytest.fixture
def sales(db):
    return UserFactory(username="sales", groups=[SALES_TEAM])


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def sales_client(client, sales):
    client.force_login(sales)
    return client


@pytest.fixture
def reviewer(db):
    user = UserFactory(
        username="reviewer", first_name="Helen", last_name="Marsh", email="helen@oncosite.invalid",
        groups=[CLINICAL_REVIEWERS],
    )  # fmt: skip
    ReviewerProfile.objects.create(user=user, display_name="Dr Helen Marsh", role="Consultant Medical Oncologist")
    return user


@pytest.fixture
def second_reviewer(db):
    user = UserFactory(
        username="reviewer2", first_name="Amir", last_name="Patel", email="amir@oncosite.invalid",
        groups=[CLINICAL_REVIEWERS],
    )  # fmt: skip
    ReviewerProfile.objects.create(user=user, display_name="Dr Amir Patel", role="Consultant Pathologist")
    return user


@pytest.fixture
def reviewer_client(reviewer):
    # Its own client, so a test can act as an editor and a reviewer side by side.
    client = Client()
    client.force_login(reviewer)
    return client


ANGIOSARCOMA = {
    "fields": {"name": "Angiosarcoma", "slug": "angiosarcoma", "summary": "A rare tumour of connective tissue."},
    "sections": [
        {"heading": "Location", "body": "Blood vessels."},
        {"heading": "Treatment", "body": "Surgery first."},
    ],
    "sources": [
        {"title": "Angiosarcoma", "url": "https://en.wikipedia.org/wiki/Angiosarcoma", "publisher": "Wikipedia"},
    ],
}


@pytest.fixture
def draft(editor):
    """A new page, never published: an editor's complete draft, ready to go through review."""
    services.save_draft(tumour=(tumour := Tumour()), by=editor, **ANGIOSARCOMA)
    return tumour


@pytest.fixture
def live(draft, editor, reviewer):
    """The same page, approved by a reviewer and live: its draft is gone."""
    services.submit_for_review(tumour=draft, by=editor)
    services.approve(tumour=draft, by=reviewer)
    draft.refresh_from_db()
    return draft
