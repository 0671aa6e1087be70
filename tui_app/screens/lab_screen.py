"""The TTFT lab in the app: the same prompt sent streamed and not streamed in turns, each run timed, a table of
percentiles and a chart of every run as they come; Escape cancels and keeps what was measured."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, DataTable, Input, Label, ProgressBar, Static
from textual_plotext import PlotextPlot

from tui_app.lab_setup import DEFAULT_LAB_PROMPT, DEFAULT_LAB_RUNS, LabChoices, describe_lab_plan, lab_plan
from tui_app.private_files import write_private_text
from tui_app.screens.confirm_screen import ConfirmScreen
from tui_app.screens.export_dialog import offer_download
from tui_app.screens.text_prompt_screen import TextPromptScreen
from tui_app.stream.lab import MODE_NAMES, MODES, LabPlan, LabResults, LabRun, format_ms, run_lab
from tui_app.text_safety import neutralize

if TYPE_CHECKING:
    from tui_app.model.conversation import ChatSettings
    from tui_app.screens.chat_services import ChatServices

MOST_RUNS = 100
COLUMNS = ("model", "mode", "runs", "first token p50", "p95", "min", "max", "total p50", "p95 ", "tokens/s p50")



class LabScreen(Screen[None]):
    """Measure time to first token, streamed against not streamed, on the backend the chat uses."""

    CSS_PATH = Path(__file__).with_name("lab_screen.tcss")
    AUTO_FOCUS = "#lab-start"
    BINDINGS = [Binding("escape", "cancel_or_close", "Cancel / close", priority=True)]

    def __init__(self, services: ChatServices, asking: ChatSettings) -> None:
        super().__init__()
        self.services = services
        self.asking = asking
        self.results: LabResults | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="lab"):
            with Horizontal(classes="lab-form"):
                yield Label("Prompt", classes="lab-label")
                yield Input(DEFAULT_LAB_PROMPT, id="lab-prompt")
            with Horizontal(classes="lab-form"):
                yield Label("Runs of each", classes="lab-label")
                yield Input(str(DEFAULT_LAB_RUNS), id="lab-runs", type="integer")
                yield Label("Models", classes="lab-label")
                yield Input(self.asking.model, id="lab-models", placeholder="models, by spaces")
                yield Button("Start", id="lab-start", variant="primary")
            yield Static(id="lab-plan")
            with Horizontal(id="lab-progress-row"):
                yield ProgressBar(id="lab-progress", show_eta=False)
                yield Static(id="lab-status")
            yield DataTable(id="lab-table", cursor_type="none", zebra_stripes=True)
            yield PlotextPlot(id="lab-plot")
            with Horizontal(id="lab-save"):
                yield Button("Save JSON", id="lab-save-json", disabled=True)
                yield Button("Save CSV", id="lab-save-csv", disabled=True)
                yield Static("Escape cancels a run, or closes the lab", id="lab-hint")

    def on_mount(self) -> None:
        self.query_one("#lab").border_title = "TTFT lab · streamed against not streamed"
        self.query_one(DataTable).add_columns(*COLUMNS)
        self.show_plan()
        self._draw_chart()

    @property
    def running(self) -> bool:
        return any(worker.group == "lab" and not worker.is_finished for worker in self.workers)

    def plan(self) -> LabPlan | str:
        """The plan the form asks for, or what is wrong with the form."""
        prompt = self.query_one("#lab-prompt", Input).value
        runs_text = self.query_one("#lab-runs", Input).value
        models = self.query_one("#lab-models", Input).value.replace(",", " ").split()
        if not prompt.strip():
            return "The prompt is empty."
        if not runs_text.isdigit() or not 1 <= int(runs_text) <= MOST_RUNS:
            return f"Runs: a whole number from 1 to {MOST_RUNS}."
        return lab_plan(self.asking, prompt, LabChoices(models), int(runs_text))

    @on(Input.Changed)
    def show_plan(self) -> None:
        plan = self.plan()
        said = plan if isinstance(plan, str) else describe_lab_plan(plan, self.services.settings.prices)
        self.query_one("#lab-plan", Static).update(Content(neutralize(said)))

    @on(Input.Submitted)
    @on(Button.Pressed, "#lab-start")
    def start(self) -> None:
        self.ask_and_measure()

    @work(group="lab-ask", exclusive=True, exit_on_error=False)
    async def ask_and_measure(self) -> None:
        """Start the lab, once a real server's requests have been agreed to."""
        plan = self.plan()
        backend = self.services.backend
        if self.running or isinstance(plan, str) or backend is None:
            return
        if not backend.is_demo:
            question = f"Send {describe_lab_plan(plan, self.services.settings.prices)} to {backend.shown_url}?"
            if not await self.app.push_screen_wait(ConfirmScreen(question, yes="Send them", no="Not now")):
                return
        self.results = LabResults(plan)
        self.query_one(DataTable).clear()
        self.query_one(ProgressBar).update(total=plan.requests, progress=0)
        self._set_saving(False)
        self.measure(self.results)

    @work(group="lab", exclusive=True, exit_on_error=False)
    async def measure(self, results: LabResults) -> None:
        client = (await self.services.sdk_client()).with_options(max_retries=0)  # a retry would time two
        self._say(f"request 1 of {results.plan.requests} …")
        try:
            async for run in run_lab(client, results.plan):
                results.runs.append(run)
                self._show(results, run)
        except asyncio.CancelledError:
            self._say(f"cancelled after {len(results.runs)} of {results.plan.requests} requests; "
                      "their results are kept")
            self._set_saving(bool(results.runs))
            raise
        failed = sum(run.error is not None for run in results.runs)
        self._say(f"done: {len(results.runs)} requests" + (f", {failed} failed" if failed else ""))
        self._set_saving(True)

    def _show(self, results: LabResults, run: LabRun) -> None:
        done = len(results.runs)
        self.query_one(ProgressBar).update(progress=done)
        timings = f"first token {format_ms(run.ttft_ms)}, total {format_ms(run.total_ms)}"
        last = f"{MODE_NAMES[run.mode]} #{run.number}: " + (neutralize(run.error) if run.error else timings)
        more = f" · request {done + 1} of {results.plan.requests} …" if done < results.plan.requests else ""
        self._say(last + more)
        self._fill_table(results)
        self._draw_chart()

    def _say(self, text: str) -> None:
        self.query_one("#lab-status", Static).update(Content(text))

    def _fill_table(self, results: LabResults) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for variant in results.plan.variants:
            for mode in MODES:
                first, total = results.spread(variant, mode, "ttft_ms"), results.spread(variant, mode, "total_ms")
                speed = results.spread(variant, mode, "tokens_per_second").p50
                table.add_row(Text(neutralize(variant.label)), MODE_NAMES[mode], str(first.runs),
                              format_ms(first.p50), format_ms(first.p95), format_ms(first.min), format_ms(first.max),
                              format_ms(total.p50), format_ms(total.p95), "–" if speed is None else f"{speed:,.1f}")

    def _draw_chart(self) -> None:
        plot = self.query_one(PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.title("First token of every run (ms)")
        plt.xlabel("run")
        plt.ylim(0)  # from zero: the gap between the two ways of asking is the point
        if self.results is not None:
            plt.xticks(list(range(1, self.results.plan.runs + 1)))
        results = self.results
        if results is not None:
            for variant in results.plan.variants:
                for mode in MODES:
                    points = [(run.number, run.ttft_ms) for run in results.of(variant, mode) if run.ttft_ms is not None]
                    if points:
                        name = neutralize(f"{variant.label} {MODE_NAMES[mode]}")
                        plt.plot([x for x, _ in points], [y for _, y in points], label=name, marker="hd")
        plot.refresh()

    def _set_saving(self, possible: bool) -> None:
        for button in self.query("#lab-save Button").results(Button):
            button.disabled = not possible

    @on(Button.Pressed, "#lab-save-json")
    def save_json(self) -> None:
        self.save("json")

    @on(Button.Pressed, "#lab-save-csv")
    def save_csv(self) -> None:
        self.save("csv")

    @work(group="lab-save", exit_on_error=False)
    async def save(self, fmt: str) -> None:
        results = self.results
        if results is None or not results.runs:
            return
        text = results.as_json() if fmt == "json" else results.as_csv()
        if self.app.is_web:  # the person is at a browser: the file is theirs to download
            name = offer_download(self.app, text, f"claude-tui-lab.{fmt}")
            self.notify(f"Offered {len(results.runs)} runs as a download: {name}", title="Lab")
            return
        suggested = Path.cwd() / f"claude-tui-lab.{fmt}"
        answer = await self.app.push_screen_wait(TextPromptScreen(f"Save the lab's results as {fmt.upper()} to",
                                                                  str(suggested)))
        if answer is None:
            return
        target = Path(answer).expanduser()
        try:
            await asyncio.to_thread(write_private_text, target, text)
        except OSError as error:
            self.notify(f"Not saved to {target}: {error.strerror or error}", title="Lab", severity="error")
            return
        self.notify(f"Saved {len(results.runs)} runs to {target}", title="Lab")

    def action_cancel_or_close(self) -> None:
        if self.running:
            self.workers.cancel_group(self, "lab")
        else:
            self.dismiss(None)
