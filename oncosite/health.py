"""Health endpoints: /healthz for load balancers, /healthz/strict for monitoring.

Both name every dependency's state, one per line. /healthz answers 503 only when this server cannot reach its
database: one shared Redis or mail server going down must not pull every server out of the load balancer,
since the site keeps serving without them. /healthz/strict answers 503 when anything is down, for a monitor
that pages someone.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from .errors import is_database_unavailable

# A notification never tried this long after it was queued means the task worker is not running.
WORKER_GRACE = timedelta(minutes=10)


@dataclass
class Dependency:
    name: str
    ok: bool
    state: str

    def line(self) -> str:
        return f"{self.name}: {self.state}"


def database() -> Dependency:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        if not is_database_unavailable(exc):
            raise
        return Dependency("database", False, "down")
    return Dependency("database", True, "ok")


def cache() -> Dependency:
    backend = caches["default"]
    if not hasattr(backend, "ping"):
        return Dependency("cache", True, "ok (this process's memory)")
    if backend.ping():
        return Dependency("cache", True, "ok")
    return Dependency("cache", False, "down (pages built from the database, rate limits counted per process)")


def mail(database_ok: bool) -> Dependency:
    # What the sends themselves report: probing the mail server from every health check would load it.
    from orders.models import Notification

    if not database_ok:
        return Dependency("mail", False, "unknown (no database)")
    queued = Notification.objects.filter(state=Notification.State.QUEUED)
    failing = queued.filter(attempts__gt=0).count()
    if failing:
        return Dependency("mail", False, f"failing ({failing} notifications waiting for a retry)")
    stuck = queued.filter(attempts=0, created_at__lt=timezone.now() - WORKER_GRACE).count()
    if stuck:
        return Dependency("mail", False, f"worker not sending ({stuck} notifications never tried)")
    return Dependency("mail", True, "ok")


def dependencies() -> list[Dependency]:
    db = database()
    return [db, cache(), mail(db.ok)]


def _report(headline: str, found: list[Dependency], status: int) -> HttpResponse:
    body = "\n".join([headline, *(dependency.line() for dependency in found)]) + "\n"
    return HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    found = dependencies()
    if not found[0].ok:
        return _report("database unavailable", found, 503)
    return _report("ok" if all(d.ok for d in found) else "degraded", found, 200)


@never_cache
def healthz_strict(request: HttpRequest) -> HttpResponse:
    found = dependencies()
    down = [d.name for d in found if not d.ok]
    if down:
        return _report(f"unavailable: {', '.join(down)}", found, 503)
    return _report("ok", found, 200)
