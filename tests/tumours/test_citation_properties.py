"""Generated texts mixing citation syntax with hostile markup: the renderer's own citation HTML is the only markup
it adds past the allow-list, every id it writes is one of its own and unique, and no key can inject markup."""

import os
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.tumours.test_xss_vectors import VECTORS, Inspector
from tumours.citations import KEY_PATTERN, Citations
from tumours.markdown import render_markdown

EXAMPLES = int(os.environ.get("HYPOTHESIS_CITATION_EXAMPLES", "300"))
OUR_ID = re.compile(r"cite-[A-Za-z0-9-]+-\d+")


class CitationInspector(Inspector):
    """The sanitiser's allow-list, plus exactly the elements the renderer writes for a citation."""

    def __init__(self, numbers: set[int]):
        super().__init__()
        self.numbers = numbers
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag == "sup" and found == {"class": "citation"}:
            return
        if tag == "span" and found == {"class": "visually-hidden"}:
            return
        if tag == "mark" and found == {"class": "citation--unknown", "title": "No source has this key"}:
            return
        if tag == "a" and set(found) == {"href", "id"}:
            number = re.fullmatch(r"#source-(\d+)", found["href"])
            if number and int(number.group(1)) in self.numbers and OUR_ID.fullmatch(found["id"]):
                self.ids.append(found["id"])
                return
            self.problems.append(f"citation link {found}")
            return
        super().handle_starttag(tag, attrs)

    handle_startendtag = handle_starttag


keys = st.from_regex(rf"\A{KEY_PATTERN}\Z", fullmatch=True).filter(lambda key: len(key) <= 60)
hostile = st.sampled_from(VECTORS)
syntax = st.sampled_from(["[@", "]", "; @", "@", "[", "](", ")", '"', "'", "<", ">", "`", "\n\n", "\ue000", "\ue001",
                          "0", " ", "*", "![", "<a id=", "#source-1", "cite-x-1"])  # fmt: skip


@st.composite
def page_text(draw):
    known = draw(st.lists(keys, min_size=1, max_size=4, unique=True))
    citation = st.lists(st.one_of(st.sampled_from(known), keys), min_size=1, max_size=3).map(
        lambda cited: "[@" + "; @".join(cited) + "]"
    )
    pieces = draw(st.lists(st.one_of(citation, hostile, syntax, st.text(max_size=20)), max_size=25))
    return known, "".join(pieces)


def inspect(html: str, numbers: dict[str, int]) -> CitationInspector:
    inspector = CitationInspector(set(numbers.values()))
    inspector.feed(html)
    inspector.close()
    return inspector


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=page_text(), show_unknown=st.booleans())
def test_citations_next_to_hostile_markup_add_nothing_but_their_own_links(case, show_unknown):
    known, text = case
    numbers = {key: n for n, key in enumerate(known, start=1)}
    citations = Citations(numbers=numbers, scope="section-3", show_unknown=show_unknown)
    html = render_markdown(text, citations=citations)
    inspector = inspect(html, numbers)
    assert inspector.problems == [], html
    assert "<script" not in html.lower() and "\ue000" not in html and "\ue001" not in html
    # Every id on the output is the renderer's (any other is a problem above), once each, for a citation it recorded.
    assert inspector.ids == [anchor for _, anchor in citations.anchors] and len(set(inspector.ids)) == len(
        inspector.ids
    )


@settings(max_examples=EXAMPLES, deadline=None)
@given(key=st.text(max_size=40))
def test_no_key_can_inject_markup(key):
    numbers = {key: 1}
    html = render_markdown(f"Claim [@{key}]. Other [@{key}; @{key}]", citations=Citations(numbers=numbers))
    assert inspect(html, {"x": 1}).problems == [], html
    if not re.fullmatch(KEY_PATTERN, key):
        assert "#source-" not in html  # not a key: never a citation of it, the text as typed (escaped)


@settings(max_examples=EXAMPLES, deadline=None)
@given(case=page_text())
def test_plain_text_carries_no_citation_syntax_of_known_keys(case):
    known, text = case
    html = render_markdown(text, citations=Citations.dropped())
    assert 'class="citation"' not in html and "\ue000" not in html
