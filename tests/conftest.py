import datetime

import pytest
from django.core.cache import caches
from django.test import Client

from oncosite.roles import CLINICAL_EDITORS, CLINICAL_REVIEWERS, SALES_TEAM
from tests.factories import SectionFactory, SourceFactory, TestKitFactory, TumourFactory, UserFactory
from tumours.demo_content import load_demo_content


@pytest.fixture(autouse=True)
def empty_cache():
    # The page cache and the rate limits live in the caches, which outlive a test's database rollback:
    # every test starts from empty ones.
    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


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
    return UserFactory(
        username="reviewer", first_name="Helen", last_name="Marsh", email="helen@oncosite.invalid",
        groups=[CLINICAL_REVIEWERS],
    )  # fmt: skip


@pytest.fixture
def reviewer_client(reviewer):
    # Its own client, so a test can act as an editor and a reviewer side by side.
    client = Client()
    client.force_login(reviewer)
    return client


@pytest.fixture
def draft(db):
    """A complete page in draft: sections, a source and a review record, ready to go through review."""
    tumour = TumourFactory(
        name="Angiosarcoma", slug="angiosarcoma", status="draft", published_at=None,
        last_reviewed_on=datetime.date(2026, 11, 29), reviewed_by="Dr Helen Marsh, Consultant Medical Oncologist",
    )  # fmt: skip
    SectionFactory(tumour=tumour, heading="Location", body="Blood vessels.", position=1)
    SectionFactory(tumour=tumour, heading="Treatment", body="Surgery first.", position=2)
    SourceFactory(tumour=tumour, position=1)
    return tumour
