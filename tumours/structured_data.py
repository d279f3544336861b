"""schema.org JSON-LD for tumour pages: a MedicalWebPage about a MedicalCondition."""

import json
from typing import Any

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from .models import Tumour
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
