"""Python-Markdown against markdown-it-py on the same corpus: the hostile shapes of issue 10 and an ordinary page.

    .venv/bin/python bench/markdown_renderers.py            # sizes 2000 and 8000 characters
    BENCH_SIZES=2000,10000 .venv/bin/python bench/markdown_renderers.py

Prints milliseconds per render (best of 3, parse and render only, no sanitising) for Python-Markdown with the
extensions the site used (extra, sane_lists), the stock markdown-it-py with the site's plugins, and the site's
renderer as it ships (tumours.markdown: markdown-it-py with its link-label parser, then nh3; a text past the
budgets is shown escaped without parsing). A Python-Markdown run over BENCH_LIMIT_SECONDS (default 15) is
not repeated. RecursionError is shown as such.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import markdown  # noqa: E402
from markdown_it import MarkdownIt  # noqa: E402
from mdit_py_plugins.deflist import deflist_plugin  # noqa: E402
from mdit_py_plugins.footnote import footnote_plugin  # noqa: E402

from tumours.markdown import PARSER_MAX_NESTING, render_markdown  # noqa: E402

SIZES = [int(size) for size in os.environ.get("BENCH_SIZES", "2000,8000").split(",")]
LIMIT = float(os.environ.get("BENCH_LIMIT_SECONDS", "15"))
PAGE = (Path(__file__).resolve().parent.parent / "tests" / "leiomyosarcoma-page.txt").read_text()


def nested_list(size: int) -> str:
    lines, depth = [], 0
    while sum(map(len, lines)) < size:
        lines.append("  " * depth + "- a\n")
        depth += 1
    return "".join(lines)


SHAPES = {
    "ordinary page (repeated)": lambda n: (PAGE * (n // len(PAGE) + 1))[:n],
    "[ then ]": lambda n: "[" * (n // 2) + "]" * (n // 2),
    "[a]( repeated": lambda n: "[a](" * (n // 4),
    "![ repeated": lambda n: "![" * (n // 2),
    "<a  repeated": lambda n: "<a " * (n // 3),
    "<http://a repeated": lambda n: "<http://a" * (n // 9),
    "100 [ then *": lambda n: "[" * 100 + "*" * (n - 100),
    "*a_ repeated": lambda n: "*a_" * (n // 3),
    "nested list": nested_list,
    "> repeated": lambda n: ">" * n + " a",
}


def python_markdown():
    converter = markdown.Markdown(extensions=["extra", "sane_lists"], output_format="html")
    return lambda text: converter.reset().convert(text)


def stock_markdown_it():
    md = MarkdownIt("commonmark", {"html": True, "maxNesting": PARSER_MAX_NESTING}).enable("table")
    return md.use(footnote_plugin).use(deflist_plugin).render


def best_ms(render, text: str) -> str:
    times = []
    for _ in range(3):
        start = time.perf_counter()
        try:
            render(text)
        except RecursionError:
            return "RecursionError"
        times.append(time.perf_counter() - start)
        if times[-1] > LIMIT:
            break
    return f"{min(times) * 1000:,.1f}"


def main() -> None:
    renderers = {
        "Python-Markdown": python_markdown(),
        "markdown-it-py": stock_markdown_it(),
        "site (tumours.markdown)": render_markdown,
    }
    print(f"| shape | chars | {' | '.join(renderers)} |")
    print(f"|---|---:|{'---:|' * len(renderers)}")
    for size in SIZES:
        for name, make in SHAPES.items():
            text = make(size)
            cells = [best_ms(render, text) for render in renderers.values()]
            print(f"| {name} | {len(text):,} | {' | '.join(cells)} |", flush=True)


if __name__ == "__main__":
    import logging

    logging.disable(logging.ERROR)  # the site's renderer logs texts it shows unrendered
    main()
