"""The site's own pages: how to reach the company, the privacy notice for the request form, and how the tumour
pages are written and checked. Every fact comes from settings and the code's constants, so the pages say what the
deployment really does."""

from django.conf import settings
from django.shortcuts import render

from orders.consent import CONSENT_VERSION
from tumours import surrogate_keys as keys


def contact_details() -> dict:
    """The company's contact details, for pages and e-mails alike."""
    return {
        "company": settings.SITE_COMPANY_NAME,
        "email": settings.SITE_CONTACT_EMAIL,
        "phone": settings.SITE_CONTACT_PHONE,
        "phone_link": "".join(c for c in settings.SITE_CONTACT_PHONE if c.isdigit() or c == "+"),
        "hours": settings.SITE_CONTACT_HOURS,
        "address": [line.strip() for line in settings.SITE_POSTAL_ADDRESS if line.strip()],
        "privacy_email": settings.PRIVACY_CONTACT_EMAIL,
    }


def retention_in_words(days: int) -> str:
    if days % 365 == 0:
        years = days // 365
        return f"{years} year{'s' if years != 1 else ''}"
    if days >= 60 and days % 30 == 0:
        return f"{days // 30} months"
    return f"{days} days"


@keys.shows(keys.SITE_PAGE, keys.KIT_LIST)  # the footer lists the kits
def privacy_notice(request):
    context = {
        "contact": contact_details(),
        "retention_days": settings.ORDER_RETENTION_DAYS,
        "retention": retention_in_words(settings.ORDER_RETENTION_DAYS),
        "email_provider": settings.PRIVACY_EMAIL_PROVIDER,
        "crm": bool(settings.SALES_WEBHOOK_URL),
        "authority": settings.PRIVACY_SUPERVISORY_AUTHORITY,
        "authority_url": settings.PRIVACY_SUPERVISORY_AUTHORITY_URL,
        "consent_version": CONSENT_VERSION,
    }
    return render(request, "pages/privacy.html", context)


@keys.shows(keys.SITE_PAGE, keys.KIT_LIST)  # the footer lists the kits
def contact(request):
    return render(request, "pages/contact.html", {"contact": contact_details()})


@keys.shows(keys.SITE_PAGE, keys.KIT_LIST)  # the footer lists the kits
def editorial_policy(request):
    from tumours.models import REVIEW_INTERVAL_MONTHS, REVIEW_WARNING_DAYS

    context = {
        "contact": contact_details(),
        "review_months": REVIEW_INTERVAL_MONTHS,
        "warning_days": REVIEW_WARNING_DAYS,
        "four_eyes": settings.EDITORIAL_FOUR_EYES,
        "require_citations": settings.EDITORIAL_REQUIRE_CITATIONS,
        "target_grade": settings.READABILITY_TARGET_GRADE,
    }
    return render(request, "pages/editorial_policy.html", context)
