"""Markdown node: HTML to Markdown (node-html-markdown) and Markdown to HTML (showdown)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nodes.sdk.testing import execute_one, items, jsons

MD = "n8n-nodes-base.markdown"


def run(params: dict[str, Any], *data: dict[str, Any], **kw: Any) -> list[dict[str, Any]]:
    out = execute_one(MD, params, [items(*(data or ({},)))], **kw)
    assert isinstance(out, list)
    return jsons(out[0])


def to_md(html: str, **options: Any) -> str:
    return run({"html": html, "options": options})[0]["data"]


def to_html(markdown: str, **options: Any) -> str:
    return run({"mode": "markdownToHtml", "markdown": markdown, "options": options})[0]["data"]


def test_fixture(fixtures_dir: Path) -> None:
    wf = json.loads((fixtures_dir / "Markdown/test/node/workflow.markdown.json").read_text())
    nodes = {n["name"]: n for n in wf["nodes"]}
    code = nodes["Code"]["parameters"]["jsCode"]
    page = code[code.index("`") + 1 : code.rindex("`")]
    md1 = run({**nodes["Markdown1"]["parameters"], "html": page}, {"data": page})
    for name in ("Markdown2", "Markdown3"):
        got = run({**nodes[name]["parameters"], "html": page}, {"data": page})
        assert got == [e["json"] for e in wf["pinData"][name]], name
    for name in ("Markdown", "Markdown4"):
        got = run({**nodes[name]["parameters"], "markdown": md1[0]["data"]}, md1[0])
        assert got == [e["json"] for e in wf["pinData"][name]], name


@pytest.mark.parametrize(
    ("html", "markdown"),
    [
        ("<p>a <b>bold</b> and <i>it</i> <del>gone</del></p>", "a **bold** and _it_ ~~gone~~"),
        ("<ul><li>one</li><li>two<ol><li>a</li></ol></li></ul>", "* one\n* two  \n  1. a"),
        ("<p>1. not * a _list_</p>", "1\\. not \\* a \\_list\\_"),
        ('<pre><code class="language-js">x  =  1;\n</code></pre>', "```js\nx  =  1;\n```"),
        ("<p>use <code>a`b</code></p>", "use `` a`b ``"),
        ('<a href="http://x.y/(a)" title="T">link</a>', '[link](http://x.y/%28a%29 "T")'),
        ('<a href="http://x.y">http://x.y</a>', "<http://x.y>"),
        ('<img src="a.png" alt="A"><img src="data:image/png;base64,xx">', "![A](a.png)"),
        ("<blockquote><p>q</p></blockquote>", "> q"),
        (
            "<table><tr><th>h</th><th>i</th></tr><tr><td>long cell</td><td>2</td></tr></table>",
            "| h         | i |\n| --------- | - |\n| long cell | 2 |",
        ),
        ("<h2>T</h2><hr><p>x<br>y</p>", "## T\n\n---\n\nx  \ny"),
        ("<p>&amp; &lt;tag&gt;</p><script>skip()</script>", "& <tag>"),
    ],
)
def test_html_to_markdown(html: str, markdown: str) -> None:
    assert to_md(html) == markdown


def test_html_to_markdown_options() -> None:
    html = "<p><b>b</b> <i>i</i></p><ul><li>x</li></ul><span>s</span><div>d</div>"
    assert to_md(html, strongDelimiter="__", emDelimiter="*", bulletMarker="-") == (
        "__b__ *i*\n\n- x\ns\n\nd"
    )
    # like node-html-markdown, ignoring only works for elements that are not block elements
    assert to_md(html, ignore="span,ul") == "**b** _i_\n\n* x\n\nd"
    assert to_md("<span>a</span><span>b</span>", blockElements="span") == "a\n\nb"
    assert (
        to_md(
            '<p><a href="http://a">x</a> <a href="http://a">y</a></p>',
            useLinkReferenceDefinitions=True,
        )
        == "[x][1] [y][1]\n\n\n[1]: http://a"
    )
    assert to_md("<pre>a\n\n\n\n\nb</pre>", maxConsecutiveNewlines=2) == "a\n\nb"
    assert to_md(
        "<p>Hello World</p>", textReplace={"values": [{"pattern": "World", "replacement": "[$&]"}]}
    ) == ("Hello [World]")


def test_markdown_to_html_and_destination_key() -> None:
    assert to_html("# Hi there\n\nSome *text*...") == (
        '<h1 id="hithere">Hi there</h1>\n<p>Some <em>text</em>\u2026</p>'
    )
    assert to_html("# A\n# A", noHeaderId=True) == "<h1>A</h1>\n<h1>A</h1>"
    assert to_html("# A\n# A") == '<h1 id="a">A</h1>\n<h1 id="a-1">A</h1>'
    assert (
        to_html("# A b", headerLevelStart=2, ghCompatibleHeaderId=True) == '<h2 id="a-b">A b</h2>'
    )
    assert to_html("~~x~~", strikethrough=True) == "<p><del>x</del></p>"
    assert to_html("|a|b|\n|-|-|\n|1|2|", tables=True).startswith("<table>")
    assert 'target="_blank"' in to_html("[x](http://a)", openLinksInNewWindow=True)
    assert to_html("```\ncode...\n```") == "<pre><code>code...\n</code></pre>"
    out = run(
        {"mode": "markdownToHtml", "markdown": "x", "destinationKey": "out.html"}, {"keep": 1}
    )
    assert out == [{"keep": 1, "out": {"html": "<p>x</p>"}}]
