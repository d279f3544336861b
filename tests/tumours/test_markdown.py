import pytest

from tumours.markdown import render_markdown


def test_markdown_becomes_html():
    html = render_markdown("## Treatment\n\n**Surgery** first.\n\n- one\n- two")
    assert "<h2>Treatment</h2>" in html
    assert "<strong>Surgery</strong>" in html
    assert "<li>one</li>" in html


@pytest.mark.parametrize(
    "hostile, forbidden",
    [
        ("<script>alert(1)</script>", "<script"),
        ('<img src="x" onerror="alert(1)">', "onerror"),
        # Links the parser refuses stay as their literal, harmless text: no attribute may carry the address.
        ("[click](javascript:alert(1))", '="javascript:'),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', "javascript:"),
        ("![x](data:image/svg+xml;base64,PHN2Zz4=)", '="data:'),
        ('<iframe src="https://example.com"></iframe>', "<iframe"),
        ('<p style="position:fixed">x</p>', "style="),
        ("<svg onload=alert(1)>", "<svg"),
        ('<a href="#" onclick="steal()">x</a>', "onclick"),
    ],
)
def test_hostile_markup_is_removed(hostile, forbidden):
    assert forbidden not in render_markdown(hostile).lower()


def test_links_keep_their_address_and_gain_noopener():
    html = render_markdown("[Wikipedia](https://en.wikipedia.org/wiki/Leiomyosarcoma)")
    assert 'href="https://en.wikipedia.org/wiki/Leiomyosarcoma"' in html
    assert 'rel="noopener noreferrer"' in html


def test_nothing_carries_over_from_one_text_to_the_next():
    # The renderer reuses its converter; definitions in one section must not leak into another.
    render_markdown("[ref]: https://leak.example/\n\n*[LMS]: Leaked expansion\n\nA note.[^1]\n\n[^1]: Leaked footnote.")
    html = render_markdown("[link][ref] and LMS and [^1]")
    assert "leak.example" not in html
    assert "Leaked" not in html
