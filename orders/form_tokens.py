"""The request form's hidden token: a signed issue time (bots post at once, or replay old forms) and a random
one-time value (a second post of the same form must not store a second request)."""

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


def issue_form_token() -> str:
    return signing.dumps({"n": secrets.token_urlsafe(24), "t": time.time()}, salt=SALT, compress=False)


def read_form_token(value: str) -> FormToken | None:
    """The token if it is genuine, at least ORDER_FORM_MIN_SECONDS and at most two hours old; otherwise None."""
    try:
        payload = signing.loads(value or "", salt=SALT, max_age=MAX_AGE_SECONDS)
        token = FormToken(nonce=str(payload["n"]), issued_at=float(payload["t"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if time.time() - token.issued_at < settings.ORDER_FORM_MIN_SECONDS:
        return None
    return token
