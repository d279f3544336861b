from html.parser import HTMLParser

VALID = {
    "requester_type": "patient",
    "full_name": "Ada Lovelace",
    "email": "ada@example.com",
    "phone": "+44 20 7946 0000",
    "country": "GB",
    "message": "Mornings are best.",
    "consent": "on",
}


class _HiddenInputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.values = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "input" and attributes.get("type") == "hidden" and attributes.get("name"):
            self.values[attributes["name"]] = attributes.get("value") or ""


def hidden_fields(html: str) -> dict:
    parser = _HiddenInputs()
    parser.feed(html)
    return parser.values


def fetched_form(client, url: str, data: dict | None = None) -> dict:
    """GET the request form as a visitor would and return its hidden fields (the signed one-time token)
    merged with data: what the browser would post."""
    response = client.get(url)
    assert response.status_code == 200
    return {**hidden_fields(response.content.decode()), **(VALID if data is None else data)}
