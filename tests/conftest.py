import pytest
from django.core.cache import cache

from oncosite.roles import CLINICAL_EDITORS, SALES_TEAM
from tests.factories import SectionFactory, TestKitFactory, TumourFactory, UserFactory
from tumours.demo_content import load_demo_content


@pytest.fixture(autouse=True)
def _empty_cache():
    # The request form's rate limit counts in the cache; each test starts from zero.
    cache.clear()
    yield
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
