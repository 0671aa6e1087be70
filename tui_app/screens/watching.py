"""The chat screen's part that shows streams it did not ask for: a recording played again (`--replay`, or `r`
on a saved reply) and another client's exchanges through the inspecting proxy (`--inspect`). Either way the
replies go through the same session, runner and panes as the chat's own; the prompt rests meanwhile."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.binding import Binding
from textual.screen import Screen

from tui_app.model.conversation import INSPECTED, REPLAY, Conversation, Turn
from tui_app.runtime import chat_settings
from tui_app.screens.reply_display import ReplyPanes
from tui_app.store.errors import StoreError
from tui_app.stream.redaction import shown_url
from tui_app.stream.replay import Playback, RecordedReply, Recording, ReplaySource, recorded_from_events
from tui_app.stream.session import ReplySession
from tui_app.widgets.event_log import EventLog
from tui_app.widgets.prompt_input import PromptInput
from tui_app.widgets.reply_view import ReplyView
from tui_app.widgets.status_bar import StatusBar
from tui_app.widgets.transcript_view import TranscriptView

if TYPE_CHECKING:
    from tui_app.proxy.feed import ExchangeFeed, WatchedExchange
    from tui_app.reply_runner import TurnSaver
    from tui_app.screens.chat_services import ChatServices
    from tui_app.settings import Settings

REPLAYING = "replay"
INSPECTING = "inspect"
LEAVING = ("start a new conversation", "open another conversation", "replay it")
"""What a replay allows once it has played, and an inspected conversation opened again: leaving it."""


class Watching(Screen):
    """Replays and inspected exchanges on the chat screen (the rest is `ChatScreen`'s)."""

    BINDINGS = [
        Binding("space", "pause_replay", "Pause/resume", priority=True, id="pause_replay"),
        Binding("full_stop", "step_replay", "Step one event", priority=True, id="step_replay"),
    ]

    services: ChatServices
    settings: Settings
    conversation: Conversation
    watching: str | None = None
    """What the chat shows instead of its own replies: `REPLAYING`, `INSPECTING`, or None."""
    playback: Playback | None = None

    def check_watching_action(self, action: str) -> bool | None:
        """Pausing and stepping while a replay plays; None for any other action."""
        if action in ("pause_replay", "step_replay"):
            return self.watching == REPLAYING and self.playback is not None and self.replying
        return None

    def refuse_while_watching(self, what: str) -> bool:
        """Nothing is sent from a replay or an inspected conversation; the inspected one stays on screen while the
        proxy runs, and a replay, or an inspected conversation opened again later, may be left."""
        if self.watching == INSPECTING:
            self.notify(f"Cannot {what} here: this conversation shows the proxy's exchanges until the app quits.",
                        title="Inspect", severity="warning")
            return True
        if self.watching == REPLAYING and what not in LEAVING:
            self.notify(f"Cannot {what} in a replay: {self.settings.keys.label('new_conversation')} starts a new "
                        "conversation.", title="Replay", severity="warning")
            return True
        if self.conversation.kind == INSPECTED and what not in LEAVING:
            new = self.settings.keys.label("new_conversation")
            self.notify(f"This conversation shows another client's exchanges; {new} starts one of your own.",
                        title="Inspected", severity="warning")
            return True
        return False

    def rest_prompt(self, title: str, backend: str) -> None:
        """While the chat shows streams it did not ask for, nothing can be sent; the prompt says why, and the
        status bar where the replies come from."""
        prompt = self.query_one(PromptInput)
        prompt.disabled = True
        prompt.border_title = title
        prompt.border_subtitle = ""
        self.query_one(StatusBar).show_idle(backend, self.conversation.settings)
        self.set_focus(None)  # the prompt takes no keys; Tab reaches the replies and the event log

    def wake_prompt(self) -> None:
        if self.watching == INSPECTING:
            return  # the proxy goes on as long as the app runs: its exchanges keep this conversation
        self.watching, self.playback = None, None
        prompt = self.query_one(PromptInput)
        prompt.disabled = False
        prompt.border_title = "Prompt"
        prompt.border_subtitle = prompt.keys_hint
        self.set_focus(prompt)

    async def start_replay(self, recording: Recording, speed: float, *, title: str | None = None) -> None:
        """Play every reply of `recording` in a conversation of its own, which is not saved."""
        await self.show_conversation(Conversation(chat_settings(self.settings), kind=REPLAY,
                                                  title=title or f"Replay · {recording.path.name}"))
        self.watching, self.playback = REPLAYING, Playback(speed)
        self.rest_prompt(self._replay_title(), "replay")
        self.refresh_bindings()
        self.play_recording(recording, self.playback)

    @work(group="reply", exclusive=True, exit_on_error=False)
    async def play_recording(self, recording: Recording, playback: Playback) -> None:
        count = len(recording.replies)
        try:
            for number, recorded in enumerate(recording.replies, start=1):
                line = _replay_line(recording, recorded, number, count, playback.speed)
                asked, _ = self.conversation.add_user(line)
                await self.query_one(TranscriptView).add_user_turn(asked)
                turn = self.conversation.add_reply(recorded.model)
                playback.start()
                session = ReplySession(ReplaySource(recorded, playback), base_url=str(recording.path),
                                       clock=playback.clock)
                await self._run(session, turn, None)
        finally:
            if self.watching == REPLAYING and self.playback is playback:
                keys = self.settings.keys
                self.query_one(PromptInput).border_title = (
                    f"Replay over · {keys.label('new_conversation')} starts a new conversation, "
                    f"{keys.label('conversations')} opens a saved one")

    async def _run(self, session: ReplySession, turn: Turn, saver: TurnSaver | None) -> None:
        from tui_app.reply_runner import ReplyRunner

        self.session, self._reply_turn = session, turn
        panes = ReplyPanes(self.query_one(TranscriptView), self.query_one(EventLog), self.query_one(StatusBar),
                           number=len(self.conversation.replies), collection=self._collection)
        self.refresh_bindings()
        await ReplyRunner(session, turn, panes, saver).run()

    def _replay_title(self) -> str:
        keys = self.settings.keys
        pause, step = keys.label("pause_replay"), keys.label("step_replay")
        paused = self.playback is not None and self.playback.paused
        pace = f"Replay paused: {pause} plays on, {step} steps one event" if paused else \
            f"Replay: {pause} pauses, {step} steps one event"
        return f"{pace} · {keys.label('new_conversation')} starts a new conversation"

    def action_pause_replay(self) -> None:
        playback = self.playback
        if playback is None:
            return
        if playback.paused:
            playback.resume()
        else:
            playback.pause()
        self.query_one(PromptInput).border_title = self._replay_title()

    def action_step_replay(self) -> None:
        if self.playback is not None:
            self.playback.step()
            self.query_one(PromptInput).border_title = self._replay_title()

    @on(ReplyView.ReplayRequested)
    async def replay_saved_reply(self, request: ReplyView.ReplayRequested) -> None:
        """`r` on a reply: its saved events played again at their recorded pace, in a conversation of their own."""
        turn = request.turn
        if self.refuse_while_replying("replay it"):
            return
        writer = self.services.writer
        if turn.id is None or writer is None:
            self.notify("This reply's events are not saved, so it cannot be replayed.", title="Replay",
                        severity="warning")
            return
        try:
            events = await writer.call(writer.store.events, turn.id)
        except StoreError as error:
            self.notify(f"Its events could not be read: {error}", title="Replay", severity="error")
            return
        if not events:
            self.notify("No events were saved for this reply.", title="Replay", severity="warning")
            return
        number = self.conversation.replies.index(turn) + 1 if turn in self.conversation.replies else 0
        name = f"reply {number} of {self.conversation.title or 'this conversation'}"
        recording = Recording(Path(name), "saved reply", [recorded_from_events(events, turn.model or "")])
        await self.start_replay(recording, 1.0, title=f"Replay · {name}")

    async def start_inspecting(self, feed: ExchangeFeed, proxy_url: str, upstream: str) -> None:
        """Show each exchange through the proxy as it happens; replies are saved like any conversation's."""
        upstream = shown_url(upstream)  # a password in it is passed on, never shown or saved
        title = f"Inspected · {proxy_url} → {upstream}"
        await self.show_conversation(Conversation(chat_settings(self.settings), title=title, kind=INSPECTED))
        self.watching = INSPECTING
        self.rest_prompt(f"Inspecting: ANTHROPIC_BASE_URL={proxy_url} · every exchange shows here", "inspect")
        self.show_title()
        self.watch_exchanges(feed, upstream)

    @work(group="inspect", exclusive=True, exit_on_error=False)
    async def watch_exchanges(self, feed: ExchangeFeed, upstream: str) -> None:
        from tui_app.proxy.feed import TapSource

        await self.services.store_opened()
        while True:
            watched = await feed.arrived.get()
            asked = watched.asked
            if not asked.is_reply:
                self.list_exchange(watched)
                continue
            prompt, _ = self.conversation.add_user(asked.describe())
            await self.query_one(TranscriptView).add_user_turn(prompt)
            self.save_turn(prompt)
            # What this client asked with, for the status bar (the request itself is in the user turn).
            self.conversation.settings = replace(self.conversation.settings, model=asked.model, system=asked.system,
                                                 max_tokens=asked.max_tokens or self.conversation.settings.max_tokens,
                                                 temperature=None, thinking=None, effort=None, cache=None)
            self.query_one(StatusBar).show_settings(self.conversation.settings)
            turn = self.conversation.add_reply(asked.model)
            source = TapSource.of(watched)
            events_file = self.services.events_file
            if events_file is not None:
                events_file.next_reply()
            session = ReplySession(source, base_url=upstream, clock=source.clock,
                                   on_event=events_file.write if events_file is not None else None)
            waiting = feed.arrived.qsize()
            if waiting:
                self.notify(f"{waiting} more exchange{'s' if waiting > 1 else ''} waiting to be shown; the proxy "
                            "passed them on already.", title="Inspect", timeout=3)
            await self._run(session, turn, self if self.services.writer is not None else None)
            if watched.exchange.note:
                await self.query_one(TranscriptView).add_notice(watched.exchange.note)

    @work(group="listing", exit_on_error=False)
    async def list_exchange(self, watched: WatchedExchange) -> None:
        """A request that is not a reply (a token count, the model list …): one line once it has ended."""
        await watched.ended.wait()
        exchange = watched.exchange
        outcome = exchange.failure or f"{exchange.status} {exchange.reason}".strip()
        took = (exchange.finished or exchange.started) - exchange.started
        await self.query_one(TranscriptView).add_notice(
            f"#{exchange.number} {watched.asked.summary} → {outcome} · {watched.size:,} bytes · {took * 1000:.0f} ms")


def _replay_line(recording: Recording, recorded: RecordedReply, number: int, count: int, speed: float) -> str:
    which = f"reply {number} of {count}" if count > 1 else "its reply"
    pace = "at once" if speed <= 0 or recorded.times is None else \
        "at the recorded pace" if speed == 1 else f"at {speed:g}× the recorded pace"
    return f"Replay of {recording.path} ({recording.kind}): {which}, {_events(recorded.events)}, {pace}"


def _events(count: int) -> str:
    return f"{count:,} event{'s' if count != 1 else ''}"
