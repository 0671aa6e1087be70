"""The Lab screen: F7 and the palette open it; it measures on the chat's backend, fills its table and chart
as runs come, cancels on Escape keeping what was measured, and saves JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from textual.widgets import Button, DataTable, Input

from tests.conftest import until
from tui_app.demo.pacing import DemoPacing
from tui_app.screens.lab_screen import LabScreen
from tui_app.screens.text_prompt_screen import TextPromptScreen


async def open_lab(pilot) -> LabScreen:
    await pilot.press("f7")
    await until(pilot, lambda: isinstance(pilot.app.screen, LabScreen), "the lab")
    return pilot.app.screen


async def save_as(pilot, lab: LabScreen, fmt: str, target: Path) -> str:
    """Save the lab's results with its button, naming `target` where it asks; the file's text."""
    lab.query_one(f"#lab-save-{fmt}", Button).press()
    await until(pilot, lambda: isinstance(pilot.app.screen, TextPromptScreen), "where to save")
    pilot.app.screen.query_one(Input).value = str(target)
    await pilot.press("enter")
    await until(pilot, target.exists, "the file")
    return target.read_text()


async def test_the_lab_measures_every_run_and_fills_its_table(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        lab = await open_lab(pilot)
        lab.query_one("#lab-runs", Input).value = "2"
        await pilot.pause()
        assert "4 requests (2 streamed and 2 not streamed)" in str(lab.query_one("#lab-plan").render())
        await pilot.press("enter")  # the Start button has focus
        await until(pilot, lambda: lab.results is not None and len(lab.results.runs) == 4, "four runs")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert [run.mode for run in lab.results.runs] == ["streaming", "non_streaming"] * 2
        assert all(run.error is None and run.output_tokens for run in lab.results.runs)
        table = lab.query_one(DataTable)
        assert table.row_count == 2
        assert [str(cell) for cell in table.get_row_at(0)[:3]] == ["claude-sonnet-5", "streamed", "2"]
        assert "done: 4 requests" in str(lab.query_one("#lab-status").render())
        assert not lab.query_one("#lab-save-csv", Button).disabled
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, LabScreen), "the lab to close")


async def test_escape_cancels_the_lab_and_keeps_the_runs_measured(make_app, tmp_path) -> None:
    # Slow enough that the lab is still running when Escape comes: a second and a half per answer.
    app = make_app(demo_pacing=DemoPacing(first_token_delay=0.0, tokens_per_second=150))
    async with app.run_test(size=(140, 45)) as pilot:
        lab = await open_lab(pilot)
        await pilot.press("enter")
        await until(pilot, lambda: lab.results is not None and len(lab.results.runs) >= 1, "a first run")
        await pilot.press("escape")
        await until(pilot, lambda: not lab.running, "the lab to stop")
        await pilot.pause()
        assert isinstance(app.screen, LabScreen)
        kept = len(lab.results.runs)
        assert 1 <= kept < lab.results.plan.requests
        assert "cancelled after" in str(lab.query_one("#lab-status").render())
        rows = list(csv.DictReader(io.StringIO(await save_as(pilot, lab, "csv", tmp_path / "lab.csv"))))
        assert len(rows) == kept and rows[0]["mode"] == "streaming" and float(rows[0]["ttft_ms"]) > 0
        found = json.loads(await save_as(pilot, lab, "json", tmp_path / "lab.json"))
        assert found["summary"]["model"] == "claude-sonnet-5" and len(found["runs"]) == kept


async def test_the_palette_offers_the_lab_and_a_bad_form_says_what_is_wrong(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        assert any(command.title == "TTFT lab" for command in app.chat.system_commands())
        lab = await open_lab(pilot)
        lab.query_one("#lab-runs", Input).value = "0"
        await pilot.pause()
        assert "Runs: a whole number" in str(lab.query_one("#lab-plan").render())
        await pilot.press("enter")
        await pilot.pause()
        assert lab.results is None


async def test_against_a_real_server_the_lab_asks_before_it_sends(make_app, server) -> None:
    from tui_app.screens.confirm_screen import ConfirmScreen

    app = make_app(base_url=server.url)
    async with app.run_test(size=(140, 45)) as pilot:
        lab = await open_lab(pilot)
        lab.query_one("#lab-runs", Input).value = "1"
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        assert "2 requests" in app.screen.question and server.url in app.screen.question
        await pilot.press("n")
        start = lab.query_one("#lab-start", Button)
        # Button ignores Enter while it still shows its last press
        await until(pilot, lambda: app.screen is lab and app.focused is start and not start.has_class("-active"),
                    "the lab again, Start in focus and ready")
        assert lab.results is None and server.requests == []
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("y")
        await until(pilot, lambda: lab.results is not None and len(lab.results.runs) == 2, "two runs")
        assert [request.get("stream", False) for request in server.requests] == [True, False]
