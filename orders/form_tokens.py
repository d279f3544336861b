"""The request form's hidden token: a signed issue time (bots post at once, or replay old forms) and a random
one-time value (a second post of the same form must not store a second request)."""

import math
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

SALT = "orders.request-form"
MAX_AGE_SECONDS = 2 * 60 * 60


@dataclass(frozen=True)
class FormToken:
    nonce: str
    issued_at: float


def issue_form_token(*, salt: str = SALT) -> str:
    # The time as a fixed-width string, in whole milliseconds rounded down (never later than now): the token's
    # length never varies, so neither does a cached page's (the feedback form on every tumour page carries one,
    # and HEAD must give GET's Content-Length).
    issued = math.floor(time.time() * 1000) / 1000
    return signing.dumps({"n": secrets.token_urlsafe(24), "t": f"{issued:.3f}"}, salt=salt, compress=False)


def read_form_token(
    value: str, *, salt: str = SALT, min_seconds: float | None = None, max_age: float = MAX_AGE_SECONDS
) -> FormToken | None:
    """The token if it is genuine, at least `min_seconds` (default ORDER_FORM_MIN_SECONDS) and at most `max_age`
    (two hours) old; otherwise None. Another form signs its tokens with a salt of its own, so they cannot stand in
    for these."""
    try:
        payload = signing.loads(value or "", salt=salt, max_age=max_age)
        token = FormToken(nonce=str(payload["n"]), issued_at=float(payload["t"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    wait = settings.ORDER_FORM_MIN_SECONDS if min_seconds is None else min_seconds
    if time.time() - token.issued_at < wait:
        return None
    return token
