"""The editorial policy: what it says comes from the settings, and every tumour page and the site footer link to it.
The kit box says it is the company's own product."""

from django.test import Client

POLICY = "/editorial-policy/"


def test_the_policy_says_who_writes_reviews_and_how_often_from_the_settings(client, settings, db):
    settings.SITE_COMPANY_NAME = "Oncosite Ltd"
    settings.READABILITY_TARGET_GRADE = 8.5
    html = client.get(POLICY).content.decode()
    for words in [
        "How we write and check our pages",
        "clinical editors",
        "the reviewer who approves a change is never the person who made it",
        "at least every 12 months",
        "a reading grade of 8.5 or below",
        "A page cannot be approved while any of its sections cites no source.",
        "labelled <strong>“Our product”</strong>",
        "Report a problem with this page",
        "we do not keep your internet address",
    ]:
        assert words in html, words


def test_the_policy_follows_the_editorial_switches(client, settings, db):
    settings.EDITORIAL_FOUR_EYES = False
    settings.EDITORIAL_REQUIRE_CITATIONS = False
    html = client.get(POLICY).content.decode()
    assert "never the person who made it" not in html and "cannot be approved while" not in html


def test_every_tumour_page_links_to_it_from_its_review_footer_and_the_site_footer(demo_tumour):
    html = Client().get("/tumours/leiomyosarcoma/").content.decode()
    review_footer = html[html.index('<footer class="page-review">') :]
    assert f'<a href="{POLICY}">How we write and check our pages</a>' in review_footer.split("</footer>")[0]
    site_footer = html[html.index('<footer class="site-footer">') :]
    assert f'<a href="{POLICY}">How we write and check our pages</a>' in site_footer


def test_the_site_footer_links_to_it_on_other_pages_too(client, db):
    for url in ["/", "/tumours/", "/privacy/", "/no-such-page/"]:
        assert f'<a href="{POLICY}">' in client.get(url).content.decode(), url


def test_the_kit_box_is_labelled_as_the_companys_product(demo_tumour, settings):
    settings.SITE_COMPANY_NAME = "Oncosite Ltd"
    html = Client().get("/tumours/leiomyosarcoma/").content.decode()
    box = html[html.index('<aside class="kit-box"') : html.index("</aside>")]
    assert "Our product" in box and "Oncosite Ltd" in box and "Not part of the reviewed information" in box
    assert 'aria-labelledby="kit-oncofocus-label kit-oncofocus"' in box
