"""The Markdown parser of replies: GitHub's Markdown, with its links found the way GitHub finds them.

Textual's Markdown makes a new parser for every piece of text appended, and its parser finds bare links
with linkify-it, whose quick test for "might there be a link here" is a regex over each paragraph, list
item and table cell of the block being streamed: together, much of the time an append takes. Replies
are parsed by one parser kept for every parse (`parse`), whose quick test is a search for what every
link it keeps contains.

Links kept are those GitHub makes of bare text: with a scheme (`https://…`), starting `www.`, and email
addresses. A bare domain is not a link: `main.py`, `setup.cfg` and `e.g.` stay words.
"""

from __future__ import annotations

from linkify_it import LinkifyIt
from linkify_it.main import Match
from markdown_it import MarkdownIt
from markdown_it.token import Token

LINK_MARKS = ("://", "www.", "@")
"""What a link kept contains somewhere: a scheme's `://`, `www.`, an email's `@`."""


class GithubLinks(LinkifyIt):
    """linkify-it, keeping only the bare links GitHub keeps, and testing for them with a substring search."""

    def pretest(self, text: str) -> bool:
        lowered = text.lower()
        return any(mark in lowered for mark in LINK_MARKS)

    def test(self, text: str) -> bool:
        return self.pretest(text) and super().test(text)

    def match(self, text: str) -> list[Match] | None:
        links = [link for link in super().match(text) or [] if kept(link)]
        return links or None


def kept(link: Match) -> bool:
    """A link with a scheme (`mailto:` for an email address), or a bare one starting `www.`."""
    return bool(link.schema) or link.raw.lower().startswith("www.")


def reply_parser() -> MarkdownIt:
    """A parser of replies: one parse at a time (its linkify-it keeps state between calls)."""
    parser = MarkdownIt("gfm-like", {"html": False})  # HTML in a reply is shown as the text it is
    parser.linkify = GithubLinks()
    return parser


_PARSER: MarkdownIt | None = None


def _parser() -> MarkdownIt:
    """The one parser kept for every parse: making one costs more than parsing a paragraph."""
    global _PARSER
    if _PARSER is None:
        _PARSER = reply_parser()
    return _PARSER


def parse(text: str, references: dict[str, dict] | None = None) -> list[Token]:
    """`text` parsed, its reference links (`[text][label]`) resolved with `references` (see
    `references_in`) too."""
    return _parser().parse(text, {"references": dict(references)} if references else {})


def references_in(text: str) -> dict[str, dict]:
    """The link reference definitions (`[label]: url`) in `text`, by label as the parser keys them."""
    env: dict = {}
    _parser().parse(text, env)
    return env.get("references", {})
