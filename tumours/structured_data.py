"""schema.org JSON-LD: tumour pages are a MedicalWebPage about a MedicalCondition, kit pages one about a
MedicalTest, with the page's breadcrumbs."""

import json
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from .models import TestKit, Tumour
from .text import description

# Inside <script> the only danger is text that closes the element or opens a comment; JSON can spell
# these characters as escapes, so they never appear raw (the same escapes as Django's json_script).
JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def medical_web_page(tumour: Tumour, *, sources: list, url: str) -> dict[str, Any]:
    condition: dict[str, Any] = {"@type": "MedicalCondition", "name": tumour.name}
    if tumour.aliases:
        condition["alternateName"] = tumour.aliases
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": tumour.name,
        "url": url,
        "description": description(tumour.summary),
        "inLanguage": "en-GB",
        "about": condition,
        # A new page in preview has not been saved yet.
        "dateModified": (tumour.updated_at or timezone.now()).isoformat(),
        # In the list's order, numbered as the page numbers its citations.
        "citation": [_citation(source, n) for n, source in enumerate(sources, start=1)],
    }
    if tumour.last_reviewed_on:
        data["lastReviewed"] = tumour.last_reviewed_on.isoformat()
    if tumour.reviewed_by.strip():
        data["reviewedBy"] = _reviewer(tumour.reviewed_by)
    return data


def kit_breadcrumbs(kit: TestKit) -> list[tuple[str, str]]:
    """Home › Tests › the kit, as (name, site path): the visible trail and the JSON-LD one."""
    return [("Home", reverse("tumours:home")), ("Tests", reverse("tumours:kits")), (kit.name, kit.get_absolute_url())]


def medical_test_page(
    kit: TestKit, *, offered_for: int, breadcrumbs: list[tuple[str, str]], url: str
) -> dict[str, Any]:
    test: dict[str, Any] = {"@type": "MedicalTest", "name": kit.name, "description": description(kit.description)}
    if offered_for:
        # Offered for tumours (the page lists them): an oncology test. Never `usedToDiagnose`: a profiling test is
        # for a tumour already diagnosed, and neither the seed nor the page says it diagnoses anything.
        test["relevantSpecialty"] = "https://schema.org/Oncologic"
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": kit.name,
        "url": url,
        "description": description(kit.description),
        "inLanguage": "en-GB",
        "about": test,
        # The company sells the test: say whose product the page describes.
        "publisher": {"@type": "Organization", "name": settings.SITE_COMPANY_NAME},
        "dateModified": (kit.updated_at or timezone.now()).isoformat(),
        "breadcrumb": _breadcrumb_list(breadcrumbs),
    }
    if kit.last_reviewed_on:
        data["lastReviewed"] = kit.last_reviewed_on.isoformat()
    if kit.reviewed_by.strip():
        data["reviewedBy"] = _reviewer(kit.reviewed_by)
    return data


def _breadcrumb_list(breadcrumbs: list[tuple[str, str]]) -> dict[str, Any]:
    site = settings.SITE_URL.rstrip("/")
    items = [
        {"@type": "ListItem", "position": n, "name": name, "item": site + path}
        for n, (name, path) in enumerate(breadcrumbs, start=1)
    ]
    return {"@type": "BreadcrumbList", "itemListElement": items}


def _reviewer(reviewed_by: str) -> dict[str, Any]:
    # Editors write "Name, Role" (the help text asks for it); schema.org keeps the two apart.
    name, _, role = reviewed_by.partition(",")
    person: dict[str, Any] = {"@type": "Person", "name": name.strip()}
    if role.strip():
        person["jobTitle"] = role.strip()
    return person


def _citation(source, position: int) -> dict[str, Any]:
    work: dict[str, Any] = {"@type": "CreativeWork", "position": position, "name": source.title, "url": source.url}
    if source.publisher:
        work["publisher"] = {"@type": "Organization", "name": source.publisher}
    if source.licence_url:
        work["license"] = source.licence_url
    return work


def json_ld(data: dict[str, Any]) -> SafeString:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(JSON_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308 - escaped above
