"""The privacy wording shown beside the consent box. Change the version whenever the wording changes:
each request stores the version its requester agreed to."""

CONSENT_VERSION = "2026-11-29"
CONSENT_TEXT = (
    "I agree that Oncosite may use the details I give here to contact me about an Oncofocus test "
    "for this tumour. They are seen only by our sales team, never shared or sold, and deleted on request "
    "or after two years."
)
