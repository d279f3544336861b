import pytest
import redis
from django.core.cache import caches
from django.test import Client, override_settings

from oncosite.roles import CLINICAL_EDITORS, CLINICAL_REVIEWERS, SALES_TEAM
from tests.factories import SectionFactory, TestKitFactory, TumourFactory, UserFactory
from tests.servers import RedisServer, redis_cache_settings
from tests.two_factor import mark_verified
from tumours import services
from tumours.demo_content import load_demo_content
from tumours.editorial import ReviewerProfile
from tumours.models import Tumour


@pytest.fixture(autouse=True, scope="session")
def force_login_passes_two_factor():
    """Test settings require a second factor for staff, as production does. Client.force_login stands for a
    whole staff login, password and authenticator app; tests of the second factor itself log in through the
    login form (Client.login, or a post to /admin/login/), which leaves the session waiting for a code."""
    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        if user.is_staff:
            mark_verified(self, user)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Client, "force_login", force_login)
        yield


@pytest.fixture(autouse=True)
def empty_cache():
    # The page cache and the rate limits live in the caches, which outlive a test's database rollback:
    # every test starts from empty ones.
    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


@pytest.fixture(autouse=True)
def proxy_warning_unseen(monkeypatch):
    # The proxy warning is remembered per process (it is logged once): each test starts as a fresh process.
    monkeypatch.setattr("oncosite.proxy_warning._seen_here", False)


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
    # Each section cites its source, as approval requires (EDITORIAL_REQUIRE_CITATIONS).
    "sections": [
        {"heading": "Location", "body": "Blood vessels. [@wikipedia]"},
        {"heading": "Treatment", "body": "Surgery first. [@wikipedia]"},
    ],
    "sources": [
        {"title": "Angiosarcoma", "key": "wikipedia", "url": "https://en.wikipedia.org/wiki/Angiosarcoma",
         "publisher": "Wikipedia"},
    ],
}  # fmt: skip


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


@pytest.fixture(scope="module")
def redis_server():
    """A redis-server of the test module's own, which its tests may stop and start."""
    server = RedisServer()
    try:
        server.start()
    except (OSError, RuntimeError):
        pytest.skip("redis-server is not installed (.ci/run installs it)")
    yield server
    server.stop()


@pytest.fixture
def redis_cache(redis_server):
    """The app's caches on the module's redis-server (started again if a test stopped it), emptied after."""
    if redis_server.process.poll() is not None:
        redis_server.start()
    with override_settings(CACHES=redis_cache_settings(redis_server.url)):
        caches["default"].clear()
        yield redis_server
    if redis_server.process.poll() is None:
        redis.Redis.from_url(redis_server.url).flushdb()
