"""The privacy wording shown beside the consent box. Change the version whenever the wording changes:
each request stores the version its requester agreed to. The privacy notice (/privacy/) carries the details,
such as how long requests are kept, straight from the settings."""

CONSENT_VERSION = "2026-11-29.2"
CONSENT_TEXT = (
    "I agree that Oncosite may use the details I give here, including which tumour this is about, to contact me "
    "about an Oncofocus test. Only our sales team sees them; we never sell them, and we delete them when I ask "
    "or when the period in the privacy notice ends."
)
