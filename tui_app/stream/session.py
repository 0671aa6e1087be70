"""One reply, observed at the wire: the bytes a source brings are decoded and folded into a `Reply` here.

Over HTTP the request goes through the real SDK (auth, retries, headers), but its body is read as raw
bytes: the SDK's stream layer drops `ping`, raises on `error` and ends silently on a dropped connection,
and an app that shows the stream must see all of that as it happened.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tui_app.stream.attempts import FailedAttempt, error_of, retry_after_seconds, should_retry, watching
from tui_app.stream.events import NOT_STREAMED, WireEvent, json_problem, parse_data, wire_event_from_frame
from tui_app.stream.failures import Failure, FailureKind, classify_exception
from tui_app.stream.metrics import ReplyTimings
from tui_app.stream.reply import CONTENT_DELTAS, Reply, ReplyState
from tui_app.stream.source import SSE, StreamSource
from tui_app.stream.sse import SSEDecoder, SSEFrame

if TYPE_CHECKING:
    import httpx2

Clock = Callable[[], float]


@dataclass(slots=True)
class ReplySession:
    """Streams one reply. Read `reply`, `events` and `timings` at any moment; they are always current."""

    source: StreamSource
    base_url: str = ""
    """The server as failure messages name it (credentials redacted)."""
    clock: Clock = time.perf_counter
    on_event: Callable[[WireEvent], None] | None = None
    """Called with every wire event as it is recorded (an `--events` file writer, say)."""
    reply: Reply = field(default_factory=Reply)
    events: list[WireEvent] = field(default_factory=list)
    timings: ReplyTimings = field(default_factory=ReplyTimings)
    failure: Failure | None = None
    attempts: list[FailedAttempt] = field(default_factory=list)
    """HTTP attempts that failed before the reply (or the final failure), the SDK's retries among them."""
    on_attempt: Callable[[FailedAttempt], None] | None = None
    _started: float = 0.0
    _unstreamed: Failure | None = None
    """Set when the answer was neither an event stream nor a Message: what it was instead."""

    @property
    def model(self) -> str:
        """The model asked for."""
        return self.source.model

    def elapsed(self) -> float:
        """Seconds since the request was sent."""
        return self.clock() - self._started

    async def stream(self) -> AsyncIterator[WireEvent]:
        """Send the request and yield each wire event once it has been folded into `reply`."""
        self._started = self.clock()
        self.reply.model = self.source.model
        response_open = False
        watch = watching.set(self)
        try:
            async with self.source.open() as body:
                response_open = True
                if not body.content_type.startswith(SSE):
                    text = (await body.read()).decode("utf-8", errors="replace")
                    yield self._record_body(text, body.content_type, streamed=body.streamed)
                else:
                    decoder = SSEDecoder()
                    async for chunk in body.chunks:
                        arrived = self.elapsed()
                        for frame in decoder.feed(chunk):
                            yield self._record(frame, arrived)
                    for frame in decoder.finish():
                        yield self._record(frame, self.elapsed())
        except (asyncio.CancelledError, GeneratorExit):
            self._settle(ReplyState.CANCELLED, None)
            raise
        except Exception as error:  # noqa: BLE001 - every failure becomes a state, never a traceback
            failure = classify_exception(error, self.base_url, self.source.read_timeout)
            failure = dataclasses.replace(failure, message=self._redact(failure.message))
            if response_open and failure.kind in (FailureKind.INCOMPLETE, FailureKind.SERVER):
                # Some of the reply may have arrived: it is kept, and marked as cut short.
                self._settle(ReplyState.INCOMPLETE, Failure(FailureKind.INCOMPLETE, failure.message))
            else:
                self._settle(ReplyState.FAILED, failure)
        else:
            self._settle(None, self._unstreamed)
        finally:
            try:
                watching.reset(watch)
            except ValueError:
                pass  # closed from another context (a generator finalised elsewhere): nothing to restore

    async def response_arrived(self, response: httpx2.Response, asked_wait: float | None) -> None:
        """Record a failed HTTP attempt of this request as soon as its response arrives."""
        if response.status_code < 400 or not response.request.url.path.endswith("/messages"):
            return
        await response.aread()
        number, attempts = len(self.attempts) + 1, self.source.attempts
        self._note_attempt(FailedAttempt(
            number=number,
            attempts=attempts,
            status=response.status_code,
            error=self._redact(error_of(response.content, response.reason_phrase)),
            will_retry=number < attempts and should_retry(response.status_code, response.headers),
            retry_after=retry_after_seconds(response.headers),
            arrived=self.elapsed(),
            asked_wait=asked_wait,
        ))

    def no_response(self, request: httpx2.Request, error: Exception) -> None:
        """Record an attempt that got no response at all (it timed out, or the connection failed)."""
        import httpx2

        if not request.url.path.endswith("/messages"):
            return
        number, attempts = len(self.attempts) + 1, self.source.attempts
        timeout = self.source.read_timeout
        if isinstance(error, httpx2.TimeoutException) and timeout:
            what = f"no answer for {timeout:g} s ({type(error).__name__})"
        else:
            what = f"{type(error).__name__}: {error}".rstrip(": ")
        retryable = isinstance(error, (httpx2.TimeoutException, httpx2.TransportError))
        self._note_attempt(FailedAttempt(
            number=number,
            attempts=attempts,
            status=None,
            error=self._redact(what),
            will_retry=retryable and number < attempts,
            retry_after=None,
            arrived=self.elapsed(),
        ))

    def _note_attempt(self, attempt: FailedAttempt) -> None:
        self.attempts.append(attempt)
        if self.on_attempt is not None:
            self.on_attempt(attempt)

    def _redact(self, text: str) -> str:
        return self.source.redact(text)

    def _record_body(self, body: str, content_type: str, *, streamed: bool) -> WireEvent:
        """A whole answer that is not an event stream: a Message in JSON (asked for whole, or from a server
        that never streams), or anything else, kept as one event so nothing that arrived is lost."""
        body = self._redact(body)
        payload = parse_data(body)
        answered = f"it answered with {content_type or 'no content type'}"
        problem = f"the server did not stream: {answered}" if streamed else None
        if not isinstance(payload, dict):
            what = json_problem(body) if payload is None and body else "not a Message"
            problem = f"{problem or f'the answer is not a Message: {answered}'}; {what}"
            self._unstreamed = Failure(FailureKind.INCOMPLETE, problem)
        return self._take(WireEvent(seq=len(self.events), name=NOT_STREAMED, data=body, arrived=self.elapsed(),
                                    problem=problem))

    def _record(self, frame: SSEFrame, arrived: float) -> WireEvent:
        if frame.data:
            frame.data = self._redact(frame.data)
        try:
            event = wire_event_from_frame(frame, len(self.events), arrived, started=self.reply.saw_message_start)
        except Exception as error:  # noqa: BLE001 - a frame that cannot even be described is kept as it came
            event = WireEvent(seq=len(self.events), name=frame.event or "(none)", data=frame.data, arrived=arrived,
                              problem=f"could not be read ({type(error).__name__}: {error})")
        return self._take(event)

    def _take(self, event: WireEvent) -> WireEvent:
        """Fold an event into the reply, keep it, and pass it on."""
        arrived = event.arrived
        try:
            self.reply.apply(event)
        except Exception as error:  # noqa: BLE001 - one odd frame is marked, the rest of the reply is used
            event = _with_problem(event, f"could not be used ({type(error).__name__}: {error})")
        self.events.append(event)
        self.timings.last_event = arrived
        if self.timings.first_token is None and _is_content_delta(event):
            self.timings.first_token = arrived
        if self.on_event is not None:
            self.on_event(event)
        return event

    def _settle(self, state: ReplyState | None, failure: Failure | None) -> None:
        """Decide the final state once; an `error` event outranks what happened to the connection."""
        if self.reply.state.finished:
            return
        if self.reply.error_type and state is not ReplyState.CANCELLED:
            state = ReplyState.FAILED
            kind = FailureKind.OVERLOADED if "overloaded" in self.reply.error_type else FailureKind.SERVER
            failure = Failure(kind, f"the server ended the stream with an error: {self.reply.reason}")
        self.reply.finish(state, failure.message if failure else None)
        self.timings.finished = self.elapsed()
        if failure is None and self.reply.state is ReplyState.INCOMPLETE:
            failure = Failure(FailureKind.INCOMPLETE, f"incomplete reply: {self.reply.reason}")
        elif self.reply.state is ReplyState.CANCELLED:
            failure = Failure(FailureKind.CANCELLED, "cancelled")
        self.failure = failure


def _with_problem(event: WireEvent, problem: str) -> WireEvent:
    return dataclasses.replace(event, problem="; ".join(filter(None, (event.problem, problem))))


def _is_content_delta(event: WireEvent) -> bool:
    if event.type != "content_block_delta":
        return False
    payload = event.payload
    if not isinstance(payload, dict):
        return False
    delta = payload.get("delta")
    return isinstance(delta, dict) and delta.get("type") in CONTENT_DELTAS
