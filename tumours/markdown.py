"""The one path from an editor's markdown to HTML, for the public page and the admin preview alike.

markdown-it-py (CommonMark) parses in time linear in the input; Python-Markdown took 7.3 s on 8,000 characters
of "[" then "]" and raised RecursionError on lists nested 250 deep (bench/markdown_renderers.py,
BENCHMARKS.md). Linear is not yet bounded, so a text is rendered only within the budgets below, which the
content's validators (tumours/validators.py) enforce at input; a stored text past them (older than the limits)
is shown escaped, never run through the parser, and logged. nh3 then sanitises with an allow-list.
"""

import logging
import re
import threading
from types import SimpleNamespace

import nh3
from django.utils.html import format_html, format_html_join, linebreaks
from markdown_it import MarkdownIt
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin

from .citations import CITATION, Citations, keys_in

logger = logging.getLogger(__name__)

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6",
    "strong", "em", "b", "i", "sup", "sub", "abbr", "code", "pre", "blockquote",
    "ul", "ol", "li", "dl", "dt", "dd",
    "table", "thead", "tbody", "tr", "th", "td",
    "a", "img",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "th": {"scope"},
}
# Relative URLs stay allowed (links to other pages, uploaded images); data:, javascript: and the rest do not.
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

# The budgets that keep one render under 100 ms on a 2-core server (worst shapes measured at ~50 ms, see
# BENCHMARKS.md "Markdown"): characters, link/image/footnote brackets (each "[" costs ~11 µs, ten times a
# letter), and lists and quotes inside each other.
MAX_MARKDOWN_CHARS = 10_000
MAX_BRACKETS = 500
MAX_NESTING = 10
# The parser stops nesting at this depth and drops the rest of the text; far above what MAX_NESTING lets in.
PARSER_MAX_NESTING = 40
CONTAINERS = {"blockquote_open", "bullet_list_open", "ordered_list_open", "dl_open"}


def parse_link_label(state, start: int, disableNested: bool = False) -> int:  # noqa: N803 - the library's name
    """markdown-it's parseLinkLabel, remembering the answer for every "[" it passes.

    The library's version walks from each "[" to its "]" or the end of the paragraph, again for every "[": 100
    unclosed "[" before 9,900 "*" took 115 ms. One walk here settles each "[" it meets (a stack pairs them with
    their "]"), and the answers are kept in the parse state's own cache under keys of our own, so a paragraph
    is walked about once. Same answers as the library's, which tests/tumours/test_markdown_limits.py checks.
    """
    cache, end = state.cache, state.posMax

    def key(position: int) -> tuple:
        return ("label", position, end, disableNested)

    if key(start) in cache:
        return cache[key(start)]
    old_position, state.pos = state.pos, start + 1
    unclosed = [start]
    while state.pos < end and unclosed:
        marker, before = state.src[state.pos], state.pos
        if marker == "]":
            cache[key(unclosed.pop())] = before
            if not unclosed:
                break
        state.md.inline.skipToken(state)
        if marker == "[":
            if state.pos != before + 1 and disableNested:
                break  # a link inside: no label for this "[" nor any still open around it
            if state.pos == before + 1:
                known = cache.get(key(before))
                if known is None:
                    unclosed.append(before)
                elif known == -1:
                    break  # its label never closes, so neither do the ones around it
                else:
                    state.pos = known + 1
    for position in unclosed:
        cache[key(position)] = -1
    state.pos = old_position
    return cache[key(start)]


# Citations are built after sanitising (the allow-list gives editors no ids or classes), from these marks, which
# are taken out of every text before it is parsed, so only the renderer can write one.
MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"
# With the spaces before it: "rare [@a]." reads "rare¹.", and "rare." where citations are left out.
MARK = re.compile(f"[ \\t]*{MARK_OPEN}(\\d+){MARK_CLOSE}")


def citation_rule(state, silent: bool) -> bool:
    """Pandoc's [@key] and [@a; @b], where the page's sources are known (the renderer was given Citations)."""
    if "citations" not in state.env or state.src[state.pos] != "[":
        return False
    match = CITATION.match(state.src, state.pos, state.posMax)
    if match is None or state.src[match.end() : match.end() + 1] in ("(", "["):
        return False  # "[@a](…)" and "[@a][…]" are links
    if not silent:
        token = state.push("citation", "", 0)
        token.meta = {"keys": keys_in(match), "in_link": state.linkLevel > 0}
    state.pos = match.end()
    return True


def render_citation(self, tokens, idx, options, env) -> str:
    marks = env.setdefault("citation_marks", [])
    marks.append(tokens[idx].meta)
    return f"{MARK_OPEN}{len(marks) - 1}{MARK_CLOSE}"


def _parser() -> MarkdownIt:
    options = {"html": True, "maxNesting": PARSER_MAX_NESTING}
    # Footnotes as [^1] with their text below; not inline ^[...] footnotes, whose rule calls the library's own
    # parseLinkLabel, not md.helpers': 16 "[^" and 1,200 "<!--" in 5,000 characters took 500 ms that way.
    md = MarkdownIt("commonmark", options).enable("table").use(footnote_plugin, inline=False).use(deflist_plugin)
    # md.helpers is the instance's own reference to the helper functions its rules call.
    md.helpers = SimpleNamespace(**{**vars(md.helpers), "parseLinkLabel": parse_link_label})
    md.inline.ruler.before("link", "citation", citation_rule)
    md.add_render_rule("citation", render_citation)
    return md


# A parser holds no per-text state (each render gets its own env), but building one costs more than a short
# section, so each thread keeps one.
_local = threading.local()


def _md() -> MarkdownIt:
    if not hasattr(_local, "md"):
        _local.md = _parser()
    return _local.md


def nesting_depth(tokens) -> int:
    depth = deepest = 0
    for token in tokens:
        if token.type in CONTAINERS:
            depth += 1
            deepest = max(deepest, depth)
        elif token.nesting == -1 and token.type.replace("_close", "_open") in CONTAINERS:
            depth -= 1
    return deepest


def size_problems(text: str, *, max_chars: int = MAX_MARKDOWN_CHARS) -> list[str]:
    """What makes a text too costly to render, in words for an editor; found without parsing it."""
    problems = []
    if len(text) > max_chars:
        problems.append(f"This text is {len(text):,} characters long; the limit here is {max_chars:,}. Shorten it.")
    if text.count("[") > MAX_BRACKETS:
        problems.append(
            f"This text has {text.count('['):,} square brackets; at most {MAX_BRACKETS} are allowed "
            "(each link, image and footnote uses one or two)."
        )
    return problems


def structure_problems(tokens) -> list[str]:
    if nesting_depth(tokens) > MAX_NESTING:
        return [f"Lists and quotes are nested more than {MAX_NESTING} deep. Flatten them."]
    return []


def markdown_problems(text: str, *, max_chars: int = MAX_MARKDOWN_CHARS) -> list[str]:
    """Every reason this text cannot be rendered, or an empty list."""
    problems = size_problems(text, max_chars=max_chars)
    return problems or structure_problems(_md().parse(text, {}))


def _sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def escaped(text: str) -> str:
    """The text as typed, escaped, in paragraphs: what a visitor sees of a text that could not be rendered."""
    return linebreaks(text, autoescape=True)


def render_markdown(text: str, *, citations: Citations | None = None) -> str:
    """Sanitised HTML. With `citations`, [@key] becomes the numbered link to that source (tumours/citations.py);
    without, it stays as typed (a kit's description has no source list)."""
    text = (text or "").replace(MARK_OPEN, "").replace(MARK_CLOSE, "")
    problems = size_problems(text)
    if problems:
        return _unrendered(text, problems[0])
    md = _md()
    try:
        env: dict = {} if citations is None else {"citations": citations}
        tokens = md.parse(text, env)
        if max((token.level for token in tokens), default=0) >= PARSER_MAX_NESTING - 1:
            return _unrendered(text, "nested past the parser's limit")
        html = _sanitise(md.renderer.render(tokens, md.options, env))
        return _with_citations(html, env.get("citation_marks", []), citations) if citations else html
    except Exception as error:  # whatever the parser trips on, the page must still show
        return _unrendered(text, f"{type(error).__name__} while rendering")


def _with_citations(html: str, marks: list[dict], citations: Citations) -> str:
    def citation(match: re.Match) -> str:
        mark = marks[int(match.group(1))]
        return _citation_html(mark["keys"], citations, in_link=mark["in_link"])

    return MARK.sub(citation, html)


def _citation_html(keys: list[str], citations: Citations, *, in_link: bool) -> str:
    citations.cited.extend(keys)
    if citations.numbers is None:
        return ""  # plain text: snippets, descriptions, readability
    if not citations.show_unknown and not any(key in citations.numbers for key in keys):
        citations.unknown.extend(keys)
        return format_html("[{}]", "; ".join(f"@{key}" for key in keys))  # as typed: nothing to number
    parts = []
    for key in keys:
        number = citations.numbers.get(key)
        if number is None:
            citations.unknown.append(key)
            parts.append(_unknown_citation(key, citations))
        elif in_link:
            parts.append(format_html('<span class="visually-hidden">Source </span>{}', number))
        else:
            anchor = citations.anchor()
            citations.anchors.append((key, anchor))
            parts.append(
                format_html(
                    '<a href="#source-{}" id="{}"><span class="visually-hidden">Source </span>{}</a>',
                    number,
                    anchor,
                    number,
                )
            )
    return format_html('<sup class="citation">{}</sup>', format_html_join(",", "{}", ((p,) for p in parts)))


def _unknown_citation(key: str, citations: Citations) -> str:
    if citations.show_unknown:
        return format_html('<mark class="citation--unknown" title="No source has this key">[@{}?]</mark>', key)
    return format_html("[@{}]", key)


def _unrendered(text: str, reason: str) -> str:
    # No content in the log: the text may be long, and the length and reason are enough to find it.
    logger.error("Markdown shown unrendered (%s characters): %s", len(text), reason)
    return escaped(text)
