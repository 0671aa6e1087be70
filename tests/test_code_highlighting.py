"""Code blocks are drawn plain until their language's lexer is ready, made on a thread, then highlighted."""

from __future__ import annotations

import asyncio
from concurrent.futures import Future

from textual.app import App, ComposeResult
from textual.highlight import guess_language
from textual.widgets import Label
from textual.widgets.markdown import MarkdownFence

from tests.conftest import until
from tui_app.stream.reply import ContentBlock
from tui_app.widgets import code_lexers
from tui_app.widgets.code_block import CodeBlock
from tui_app.widgets.text_block_view import TextBlockView


class CodeApp(App[None]):
    def __init__(self, markdown: str) -> None:
        super().__init__()
        self.markdown = markdown

    def compose(self) -> ComposeResult:
        yield TextBlockView(ContentBlock(0, "text", [self.markdown]))


def chunks(app: App) -> list[Label]:
    return list(app.query_one(CodeBlock).query_children(Label))


async def test_code_is_drawn_plain_until_its_lexer_is_ready_then_highlighted(monkeypatch) -> None:
    code = "let answer = 6 * 7 in\nprint_int answer"
    monkeypatch.setattr(code_lexers, "_ready", {code_lexers.PLAIN})  # no lexer is ready yet, as at start-up
    monkeypatch.setattr(code_lexers, "_preparing", {})
    code_lexers.hold()
    try:
        app = CodeApp(f"```ocaml\n{code}\n```\n")
        async with app.run_test() as pilot:
            await until(pilot, lambda: bool(app.query(CodeBlock)), "the code block")
            [label] = chunks(app)
            assert label.content.plain == code and not label.content.spans
            assert not app.query_one(CodeBlock).highlighted and not code_lexers.is_ready("ocaml")
            code_lexers.release()
            await until(pilot, lambda: app.query_one(CodeBlock).highlighted, "the code to be highlighted")
            assert code_lexers.is_ready("ocaml")
            assert label.content == MarkdownFence.highlight(code, "ocaml", dark=app.current_theme.dark)
    finally:
        code_lexers.release()


async def test_a_block_that_names_no_language_is_highlighted_as_the_language_it_looks_like() -> None:
    code = "#!/usr/bin/env python3\nimport sys\n\ndef main():\n    print(sys.argv)"
    language = guess_language(code, None)
    assert language not in ("text", "default")
    app = CodeApp(f"```\n{code}\n```\n")
    async with app.run_test() as pilot:
        await until(pilot, lambda: bool(app.query(CodeBlock)), "the code block")
        await until(pilot, lambda: app.query_one(CodeBlock).highlighted, "the code to be highlighted")
        [label] = chunks(app)
        assert label.content == MarkdownFence.highlight(code, language, dark=app.current_theme.dark)


async def test_a_guess_that_is_in_before_its_block_is_mounted_still_gets_it_highlighted(monkeypatch) -> None:
    """On a busy machine the guess can finish while its block is still being mounted; the block must not
    then stay plain for good."""
    code = "#!/usr/bin/env python3\nimport sys\n\ndef main():\n    print(sys.argv)"
    language = guess_language(code, None)
    code_lexers.prepare(language).result()  # only when the guess comes in is in question, not the lexer
    guesses: list[Future[str]] = []
    mounted_when_guessed: list[bool] = []

    def guess_in_on_the_next_turn(_: str) -> Future[str]:
        guess: Future[str] = Future()

        def done() -> None:
            mounted_when_guessed.append(app.query_one(CodeBlock).is_mounted)
            guess.set_result(language)

        asyncio.get_running_loop().call_soon(done)  # the block asks while composing, so: before it is mounted
        guesses.append(guess)
        return guess

    monkeypatch.setattr(code_lexers, "guess", guess_in_on_the_next_turn)
    app = CodeApp(f"```\n{code}\n```\n")
    async with app.run_test() as pilot:
        await until(pilot, lambda: bool(guesses) and guesses[0].done() and app.query_one(CodeBlock).is_mounted,
                    "the guess and the block")
        assert mounted_when_guessed == [False]
        await pilot.pause()  # every message sent before now is handled: the block's own to highlight again
        assert app.query_one(CodeBlock).highlighted
        [label] = chunks(app)
        assert label.content == MarkdownFence.highlight(code, language, dark=app.current_theme.dark)
