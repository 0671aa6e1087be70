"""Where a reply's Markdown is cut into segments: never where it would read differently, and never
depending on how the text arrived."""

from __future__ import annotations

import random

from markdown_it import MarkdownIt

from tui_app.markdown_split import Segments, first_safe_cut, split_document

SECTION = """## Section {n}

A paragraph with **bold**, `code` and a [link](https://example.com) that goes on for a while.

- an item
- another item

  still the second item, after a blank line

1. first
2. second

```python
def f():

    return {n}
```

    indented code, after a blank line

| a | b |
| --- | --- |
| {n} | x |

> a quote
"""
DOCUMENT = "\n".join(SECTION.format(n=n) for n in range(40))


def blocks(text: str) -> list[tuple[str, str]]:
    """The document's blocks as Markdown reads them: top-level token types and inline content."""
    return [(token.type, token.content) for token in MarkdownIt("gfm-like").parse(text)
            if token.level == 0 or token.type == "inline"]


def test_segments_read_as_the_whole_document_does() -> None:
    segments = split_document(DOCUMENT, 300)
    assert len(segments) > 20
    assert "".join(segments) == DOCUMENT
    assert [block for segment in segments for block in blocks(segment)] == blocks(DOCUMENT)


def test_no_cut_inside_code_or_before_a_line_that_may_continue_a_block() -> None:
    segments = split_document(DOCUMENT, 1)
    cuts = [sum(len(segment) for segment in segments[:number]) for number in range(1, len(segments))]
    for cut in cuts:
        assert DOCUMENT[cut - 2 : cut] == "\n\n" and DOCUMENT[cut] not in " \t-*+0123456789"
    text = "x" * 10 + "\n\n```\ncode\n\nmore code\n```\n\n- item\n\n  continued\n\nnext\n"
    assert text[first_safe_cut(text, 11) :].startswith("```")  # a fence starts a new block
    assert text[first_safe_cut(text, 13) :] == "next\n"  # not in it, nor before a list item or its rest


def test_a_line_still_arriving_is_not_judged() -> None:
    assert first_safe_cut("x" * 10 + "\n\n", 5) is None
    assert first_safe_cut("x" * 10 + "\n\nN", 5) == 12


def test_segments_do_not_depend_on_how_the_text_arrived() -> None:
    expected = split_document(DOCUMENT, 300)
    shuffle = random.Random(7)
    for _ in range(20):
        segments, position = Segments(size=300), 0
        while position < len(DOCUMENT):
            size = shuffle.randint(1, 200)
            segments.add(DOCUMENT[position : position + size])
            position += size
        assert segments.texts == expected
