"""Phone numbers stored in E.164 (+442079460000) so that any way of writing one finds the same request."""

import re

import phonenumbers
from django.db.models import Q

MIN_SEARCH_DIGITS = 6


def to_e164(raw: str, country_code: str = "") -> str:
    """The number in E.164, reading a number without + as one of country_code; "" if it cannot be a number."""
    try:
        number = phonenumbers.parse(raw, str(country_code or "").upper() or None)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def search_filter(query: str) -> Q | None:
    """A filter matching stored numbers for a query typed in any format, or None if it is not a phone number.
    "+44 20 7946 0000" matches exactly; "020 7946 0000" or "7946 0000" match the end of the stored number (the
    country is unknown, and the national trunk 0 is not part of E.164)."""
    if not re.fullmatch(r"\+?[\d\s().\-/]+", query.strip()):
        return None
    digits = re.sub(r"\D", "", query)
    if len(digits) < MIN_SEARCH_DIGITS:
        return None
    if query.strip().startswith("+") and (e164 := to_e164(query)):
        return Q(phone_e164=e164)
    return Q(phone_e164__endswith=digits.lstrip("0"))
