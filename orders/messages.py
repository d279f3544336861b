"""What the sales team's e-mails to a requester say: templates filled in with the request's fields, the status
updates, and where replies go."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import VariableNode
from django.template.loader import render_to_string

from oncosite.pages import contact_details

from .models import TestRequest
from .team import display_name

SUBJECT_NAMES = ("reference",)
BODY_NAMES = ("first_name", "full_name", "reference", "tumour", "test_kit", "owner_name", "status_url", "site_url")
# Placeholders only: no tags, so a template cannot include other templates or loop over anything.
ENGINE = Engine(builtins=[], libraries={})
# The requester gets a short e-mail when the request reaches these (never with health detail in the subject).
STATUS_UPDATES = (
    TestRequest.Status.CONSENT_RECEIVED,
    TestRequest.Status.SAMPLE_RECEIVED,
    TestRequest.Status.REPORT_ISSUED,
)


def _names(text: str, field: str) -> list[str]:
    if "{%" in text:
        raise ValidationError({field: "Use {{ placeholders }} only; template tags such as {% … %} are not allowed."})
    try:
        nodes = ENGINE.from_string(text).nodelist.get_nodes_by_type(VariableNode)
    except TemplateSyntaxError as exc:
        raise ValidationError({field: f"This text cannot be read as a template: {exc}"}) from exc
    return [str(node.filter_expression.var).split(".")[0] for node in nodes]


def check_template(*, subject: str, body: str) -> None:
    """Refuse placeholders that do not exist (they would vanish silently) and anything but reference in the
    subject."""
    for field, text, allowed in (("subject", subject, SUBJECT_NAMES), ("body", body, BODY_NAMES)):
        unknown = sorted(set(_names(text, field)) - set(allowed))
        if unknown:
            raise ValidationError({field: f"Unknown here: {', '.join(unknown)}. You may use: {', '.join(allowed)}."})


def context_for(test_request: TestRequest) -> dict[str, str]:
    return {
        "first_name": (test_request.full_name.split() or [""])[0],
        "full_name": test_request.full_name,
        "reference": test_request.reference,
        "tumour": test_request.tumour.name,
        "test_kit": test_request.test_kit.name,
        "owner_name": display_name(test_request.owner) if test_request.owner else "the Oncosite sales team",
        "status_url": test_request.status_url(),
        "site_url": settings.SITE_URL.rstrip("/"),
    }


def render(text: str, values: dict[str, str]) -> str:
    return ENGINE.from_string(text).render(Context(values, autoescape=False))


def render_template(template, test_request: TestRequest) -> tuple[str, str]:
    values = context_for(test_request)
    subject = render(template.subject, {name: values[name] for name in SUBJECT_NAMES})
    return " ".join(subject.split()), render(template.body, values)


def status_update(test_request: TestRequest) -> tuple[str, str]:
    subject = f"Your {test_request.test_kit.name} test request {test_request.reference}: an update"
    context = {"test_request": test_request, "contact": contact_details(), **context_for(test_request)}
    body = render_to_string("orders/email/status_update.txt", context)
    return subject, body


def reply_to_for(test_request: TestRequest) -> list[str]:
    """The owner's address when the request has an owner with one, else SALES_REPLY_TO."""
    if test_request.owner_id and test_request.owner.email:
        return [test_request.owner.email]
    return [settings.SALES_REPLY_TO] if settings.SALES_REPLY_TO else []
