"""check_links against a real HTTP server on 127.0.0.1: what each answer becomes, over days, and who hears of it."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests.factories import SectionFactory, SourceFactory, TumourFactory, UserFactory
from tests.link_server import LinkServer
from tests.servers import free_port
from tumours.link_checker import check_links
from tumours.link_health import LinkCheck, LinkUse
from tumours.models import Tumour

DAY_ONE = timezone.make_aware(datetime.datetime(2026, 3, 2, 9, 0))
LATER_THAT_DAY = DAY_ONE + datetime.timedelta(hours=6)
DAY_TWO = DAY_ONE + datetime.timedelta(days=1)


@pytest.fixture
def server():
    running = LinkServer(slow_seconds=2.0).start()
    yield running
    running.stop()


@pytest.fixture
def fast_checks(settings):
    settings.LINK_CHECK_TIMEOUT = 0.5
    settings.LINK_CHECK_HOST_INTERVAL = 0
    return settings


def page_linking(*urls: str, name: str = "Angiosarcoma", in_text: tuple[str, ...] = ()) -> Tumour:
    summary = f"See [the trial]({in_text[0]})." if in_text else "A summary."
    # Reviewed recently, so that the reminder e-mail is about links alone.
    tumour = TumourFactory(name=name, summary=summary, next_review_due=timezone.localdate() + datetime.timedelta(100))
    for n, url in enumerate(urls):
        SourceFactory(tumour=tumour, title=f"Source at {url}", url=url, position=n)
    for n, url in enumerate(in_text[1:]):
        SectionFactory(tumour=tumour, heading=f"Part {n}", body=f"Read [more]({url}) here.")
    return tumour


def state(url: str) -> LinkCheck:
    return LinkCheck.objects.get(url=url)


def test_each_kind_of_answer_is_recorded_and_failures_become_broken_only_on_a_second_day(server, fast_checks, db):
    refused = f"http://127.0.0.1:{free_port()}/gone"  # nothing listens there
    paths = ["/ok", "/moved", "/temporary", "/missing", "/error", "/slow", "/no-head"]
    page_linking(*[server.url(path) for path in paths], refused)

    summary = check_links(now=DAY_ONE)
    assert summary.checked == 8
    assert state(server.url("/ok")).state == LinkCheck.State.OK
    assert state(server.url("/ok")).status_code == 200
    moved = state(server.url("/moved"))
    assert (moved.state, moved.final_url) == (LinkCheck.State.MOVED, server.url("/ok"))
    assert moved.outcome == f"HTTP 301, moved permanently to {server.url('/ok')}"
    assert state(server.url("/temporary")).state == LinkCheck.State.OK  # a temporary redirect is no problem
    assert state(server.url("/no-head")).state == LinkCheck.State.OK  # HEAD refused, GET answered
    for url, outcome in [
        (server.url("/missing"), "HTTP 404"),
        (server.url("/error"), "HTTP 500"),
        (server.url("/slow"), "no answer within 0.5 s"),
        (refused, "connection refused"),
    ]:
        assert (state(url).state, state(url).outcome) == (LinkCheck.State.FAILING, outcome)
    assert summary.new_problems == 1  # the moved link; a first failure is not a problem yet

    check_links(now=LATER_THAT_DAY)
    missing = state(server.url("/missing"))
    assert (missing.state, missing.consecutive_failures, missing.failure_days) == (LinkCheck.State.FAILING, 2, 1)

    summary = check_links(now=DAY_TWO)
    for url in [server.url("/missing"), server.url("/error"), server.url("/slow"), refused]:
        assert state(url).state == LinkCheck.State.BROKEN
        assert state(url).problem_since == DAY_TWO
    assert summary.broken == 4 and summary.new_problems == 4
    assert state(server.url("/ok")).state == LinkCheck.State.OK


def test_head_first_then_get_when_head_fails_with_an_honest_user_agent(server, fast_checks, db):
    page_linking(server.url("/ok"), server.url("/missing"))
    check_links(now=DAY_ONE)
    assert [seen.method for seen in server.requests_for("/ok")] == ["HEAD"]
    assert [seen.method for seen in server.requests_for("/missing")] == ["HEAD", "GET"]
    assert all(seen.user_agent.startswith("OncositeLinkChecker/") for seen in server.seen)
    assert "/editorial-policy/" in server.seen[0].user_agent


def test_a_link_that_works_again_is_no_longer_a_problem(server, fast_checks, db):
    page_linking(server.url("/flaky"))
    server.broken.add("/flaky")
    check_links(now=DAY_ONE)
    check_links(now=DAY_TWO)
    assert state(server.url("/flaky")).state == LinkCheck.State.BROKEN
    server.broken.clear()
    check_links(now=DAY_TWO + datetime.timedelta(days=1))
    flaky = state(server.url("/flaky"))
    assert (flaky.state, flaky.consecutive_failures, flaky.problem_since) == (LinkCheck.State.OK, 0, None)


def test_one_request_per_second_to_one_host(server, settings, db):
    settings.LINK_CHECK_HOST_INTERVAL = 1.0
    page_linking(server.url("/ok"), server.url("/ok?2"), server.url("/ok?3"))
    check_links()
    times = sorted(seen.at for seen in server.seen)
    assert len(times) == 3
    assert all(later - earlier >= 0.95 for earlier, later in zip(times, times[1:], strict=False))


@pytest.mark.parametrize("concurrency", [1, 2])
def test_at_most_the_configured_number_of_requests_at_once(server, fast_checks, settings, concurrency, db):
    settings.LINK_CHECK_CONCURRENCY = concurrency
    # Two hosts (both this machine), two links each: hosts are checked side by side, up to the limit.
    page_linking(*[server.url(f"/wait{n}", host) for host in ("127.0.0.1", "localhost") for n in range(2)])
    check_links()
    assert server.most_in_flight == concurrency


def test_private_addresses_are_not_requested(server, fast_checks, settings, db):
    settings.LINK_CHECK_ALLOW_PRIVATE_ADDRESSES = False
    page_linking(server.url("/ok"))
    summary = check_links()
    assert server.seen == []
    assert state(server.url("/ok")).state == LinkCheck.State.SKIPPED
    assert summary.skipped == 1


def test_only_live_pages_links_are_checked_from_sources_and_markdown(server, fast_checks, db):
    live = page_linking(server.url("/ok"), in_text=(server.url("/in-summary"), server.url("/in-section")))
    hidden = page_linking(server.url("/draft-only"), name="Hidden")
    Tumour.objects.filter(pk=hidden.pk).update(status=Tumour.Status.DRAFT)
    check_links()
    assert {seen.path for seen in server.seen} == {"/ok", "/in-summary", "/in-section"}
    places = set(LinkUse.objects.filter(tumour=live).values_list("place", flat=True))
    assert places == {f"Source 1: Source at {server.url('/ok')}", "Summary", "Section: Part 0"}


def test_a_link_no_page_uses_any_more_is_forgotten(server, fast_checks, db):
    tumour = page_linking(server.url("/ok"))
    check_links()
    tumour.sources.update(url=server.url("/elsewhere"))
    check_links()
    assert list(LinkCheck.objects.values_list("url", flat=True)) == [server.url("/elsewhere")]


def test_the_command_and_the_task_run_the_check(server, fast_checks, capsys, db):
    from tumours.tasks import check_links as task

    page_linking(server.url("/ok"), server.url("/missing"))
    call_command("check_links")
    assert "Checked 2 links: 1 working, 1 failed once" in capsys.readouterr().out
    result = task.enqueue()  # the immediate backend runs it now; production's worker runs it queued
    assert "Checked 2 links" in result.return_value
    call_command("check_links", "--enqueue")
    assert "Link check queued" in capsys.readouterr().out


def broken_link(server) -> Tumour:
    tumour = page_linking(server.url("/ok"), server.url("/missing"), name="Angiosarcoma")
    page_linking(server.url("/ok"), name="Fine page")
    check_links(now=DAY_ONE)
    check_links(now=DAY_TWO)
    return tumour


def test_editors_see_link_problems_listed_filtered_and_on_the_edit_screen(server, fast_checks, editor_client):
    tumour = broken_link(server)
    html = editor_client.get(reverse("admin:tumours_tumour_link_problems")).content.decode()
    assert "Angiosarcoma" in html and server.url("/missing") in html and "HTTP 404" in html
    assert "Fine page" not in html and "3 March 2026" in html  # broken since the second day it failed
    listed = editor_client.get(reverse("admin:tumours_tumour_changelist") + "?links=problems").content.decode()
    assert "Angiosarcoma" in listed and "Fine page" not in listed
    edit = editor_client.get(reverse("admin:tumours_tumour_change", args=[tumour.pk])).content.decode()
    assert "1 link problem on the live page" in edit and server.url("/missing") in edit and "Source 2" in edit


def test_reviewers_hear_of_each_new_link_problem_once(server, fast_checks, reviewer, db):
    broken_link(server)
    call_command("send_review_reminders")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Oncosite: 1 new link problem"
    assert server.url("/missing") in message.body and "on Angiosarcoma, Source 2" in message.body
    assert "/admin/tumours/tumour/link-problems/" in message.body
    mail.outbox.clear()
    call_command("send_review_reminders")
    assert mail.outbox == []  # told once


def test_link_problems_need_a_permission_on_pages(client, db):
    client.force_login(UserFactory(username="nobody"))
    assert client.get(reverse("admin:tumours_tumour_link_problems")).status_code == 403
