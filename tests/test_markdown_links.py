"""Bare links in replies: those GitHub makes links of, found without a regex over every paragraph."""

from __future__ import annotations

import pytest

from tui_app.markdown_parser import reply_parser


def links(markdown: str) -> list[str]:
    return [child.attrs["href"] for token in reply_parser().parse(markdown) for child in token.children or []
            if child.type == "link_open"]


@pytest.mark.parametrize(("text", "expected"), [
    ("read https://docs.anthropic.com/en/api today", ["https://docs.anthropic.com/en/api"]),
    ("or www.example.com.", ["http://www.example.com"]),
    ("write to team@example.com", ["mailto:team@example.com"]),
    ("ftp://files.example.com/x and HTTPS://EXAMPLE.COM", ["ftp://files.example.com/x", "HTTPS://EXAMPLE.COM"]),
])
def test_links_with_a_scheme_www_or_an_at_are_found(text: str, expected: list[str]) -> None:
    assert links(text) == expected


@pytest.mark.parametrize("text", [
    "edit main.py and setup.cfg", "see example.com", "e.g. this, i.e. that", "version 2.12.0",
])
def test_bare_domains_and_file_names_stay_words(text: str) -> None:
    assert links(text) == []


def test_markdown_links_are_links_whatever_they_point_to() -> None:
    assert links("[the file](main.py) and <https://example.com>") == ["main.py", "https://example.com"]
