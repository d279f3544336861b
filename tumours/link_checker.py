"""check_links: every source address and every link in the markdown of live pages, checked politely.

HEAD first, GET when HEAD is refused or fails (many servers answer HEAD wrongly), redirects followed by hand so
that a permanent first hop (301, 308) marks the link as moved, with the address it ended at. At most
LINK_CHECK_CONCURRENCY requests at once, one host at a time per worker, LINK_CHECK_HOST_INTERVAL seconds
between two requests to one host, LINK_CHECK_TIMEOUT seconds for an answer, and a user agent that says who asks.
Only the network work runs in threads; every database write is made by the caller's thread.
"""

import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .link_health import LinkCheck, LinkUse
from .markdown import render_markdown
from .models import Tumour

MAX_REDIRECTS = 5
REDIRECTS = (301, 302, 303, 307, 308)
PERMANENT = (301, 308)


def user_agent() -> str:
    return f"OncositeLinkChecker/1.0 (+{settings.SITE_URL.rstrip('/')}/editorial-policy/)"


@dataclass(frozen=True)
class Answer:
    status: int | None  # the last answer's
    final_url: str
    first_status: int | None = None
    permanent_redirect: bool = False
    error: str = ""
    skipped: bool = False

    @property
    def ok(self) -> bool:
        return self.status is not None and self.status < 400


@dataclass(frozen=True)
class Summary:
    checked: int
    working: int
    failing: int
    broken: int
    moved: int
    skipped: int
    new_problems: int

    def __str__(self):
        return (
            f"Checked {self.checked} links: {self.working} working, {self.failing} failed once, "
            f"{self.broken} broken, {self.moved} moved, {self.skipped} not checked; {self.new_problems} new problems."
        )


# Which links the live pages hold.


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") or ""
        if tag == "a" and urlsplit(href).scheme in ("http", "https"):
            self.urls.append(href)


def markdown_links(text: str) -> list[str]:
    """The absolute web links of a text as the public page renders them (relative links are our own pages)."""
    parser = _Links()
    parser.feed(render_markdown(text))
    return parser.urls


def links_of_live_pages() -> dict[str, set[tuple[int, str]]]:
    """Each address linked from a live page, with the (page id, place) of every use."""
    uses: dict[str, set[tuple[int, str]]] = defaultdict(set)
    for tumour in Tumour.objects.published().prefetch_related("sections", "sources"):
        for n, source in enumerate(tumour.sources.all(), start=1):
            uses[source.url].add((tumour.pk, f"Source {n}: {source.title}"[:250]))
        texts = [("Summary", tumour.summary)] + [(f"Section: {s.heading}", s.body) for s in tumour.sections.all()]
        for place, text in texts:
            for url in markdown_links(text):
                uses[url].add((tumour.pk, place[:250]))
    return {url: found for url, found in uses.items() if len(url) <= 2000}


@transaction.atomic
def record_uses(uses: dict[str, set[tuple[int, str]]]) -> list[LinkCheck]:
    """Make the records match the live pages: links no page uses any more are forgotten."""
    LinkCheck.objects.exclude(url__in=list(uses)).delete()
    links = {link.url: link for link in LinkCheck.objects.all()}
    for url in uses.keys() - links.keys():
        links[url] = LinkCheck.objects.create(url=url)
    LinkUse.objects.all().delete()
    LinkUse.objects.bulk_create(
        LinkUse(link=links[url], tumour_id=tumour_id, place=place)
        for url, found in uses.items()
        for tumour_id, place in found
    )
    return list(links.values())


# Asking the web.


class HostPacer:
    """At most one request per host every `interval` seconds, across threads: each caller reserves its slot."""

    def __init__(self, interval: float):
        self.interval = interval
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str) -> None:
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next.get(host, now))
            self._next[host] = slot + self.interval
        if slot > now:
            time.sleep(slot - now)


def _refusal(url: str) -> str:
    """Why this address is not requested (a private or local one), or ""."""
    if settings.LINK_CHECK_ALLOW_PRIVATE_ADDRESSES:
        return ""
    host = urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (socket.gaierror, UnicodeError):
        return ""  # the request itself reports the unknown host
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global:
            return "a private or local address"
    return ""


def _request(method: str, url: str, *, timeout: float, pacer: HostPacer) -> tuple[int, str]:
    parts = urlsplit(url)
    pacer.wait(parts.hostname or "")
    if parts.scheme == "https":
        context = ssl.create_default_context()
        conn = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=timeout, context=context)
    else:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        conn.request(method, path, headers={"User-Agent": user_agent(), "Accept": "*/*"})
        response = conn.getresponse()  # headers only: the body is never read
        return response.status, response.getheader("Location") or ""
    finally:
        conn.close()


def fetch(url: str, *, timeout: float, pacer: HostPacer) -> Answer:
    first_status, current = None, url
    try:
        for _ in range(MAX_REDIRECTS + 1):
            if refusal := _refusal(current):
                return Answer(None, current, error=refusal, skipped=True)
            status, location = _request("HEAD", current, timeout=timeout, pacer=pacer)
            if status >= 400:
                status, location = _request("GET", current, timeout=timeout, pacer=pacer)
            first_status = first_status or status
            if status in REDIRECTS and location:
                current = urljoin(current, location)
                continue
            return Answer(status, current, first_status=first_status, permanent_redirect=first_status in PERMANENT)
        return Answer(None, current, error=f"more than {MAX_REDIRECTS} redirects")
    except TimeoutError:
        return Answer(None, current, error=f"no answer within {timeout:g} s")
    except ConnectionRefusedError:
        return Answer(None, current, error="connection refused")
    except socket.gaierror:
        return Answer(None, current, error="host not found")
    except ssl.SSLError as error:
        return Answer(None, current, error=f"TLS error ({error.reason or type(error).__name__})")
    except (OSError, http.client.HTTPException, ValueError) as error:
        return Answer(None, current, error=f"{type(error).__name__} while connecting")


def fetch_all(urls: list[str]) -> dict[str, Answer]:
    """Each address's answer; one host's addresses are asked one after another, hosts side by side."""
    by_host: dict[str, list[str]] = defaultdict(list)
    for url in urls:
        by_host[urlsplit(url).hostname or ""].append(url)
    pacer = HostPacer(settings.LINK_CHECK_HOST_INTERVAL)
    timeout = settings.LINK_CHECK_TIMEOUT

    def one_host(host_urls: list[str]) -> dict[str, Answer]:
        return {url: fetch(url, timeout=timeout, pacer=pacer) for url in host_urls}

    answers: dict[str, Answer] = {}
    with ThreadPoolExecutor(max_workers=max(1, settings.LINK_CHECK_CONCURRENCY)) as pool:
        for done in as_completed([pool.submit(one_host, host_urls) for host_urls in by_host.values()]):
            answers.update(done.result())
    return answers


# The command and the task.


def check_links(*, now=None) -> Summary:
    links = record_uses(links_of_live_pages())
    answers = fetch_all([link.url for link in links])
    at = now or timezone.now()
    new_problems = 0
    for link in links:
        answer, before = answers[link.url], link.state
        if answer.skipped:
            link.record_skipped(reason=answer.error, at=at)
        elif answer.ok:
            # A moved link is shown with the redirect it answered (301, 308), a working one with its status.
            status = answer.first_status if answer.permanent_redirect else answer.status
            link.record_success(
                status=status, final_url=answer.final_url, permanent_redirect=answer.permanent_redirect, at=at
            )
        else:
            link.record_failure(status=answer.status, error=answer.error, at=at)
        new_problems += link.is_problem and link.state != before
        link.save()
    states = [link.state for link in links]
    return Summary(
        checked=len(links),
        working=states.count(LinkCheck.State.OK),
        failing=states.count(LinkCheck.State.FAILING),
        broken=states.count(LinkCheck.State.BROKEN),
        moved=states.count(LinkCheck.State.MOVED),
        skipped=states.count(LinkCheck.State.SKIPPED),
        new_problems=new_problems,
    )
