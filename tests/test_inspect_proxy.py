"""The inspecting proxy between real clients (the SDK, httpx, curl) and the demo backend: what the client gets
is what the upstream sent, byte for byte, faults included; the tap sees the same, in order, and never a key.
Those using the `proxy` fixture run it both on a thread and in its own process."""

from __future__ import annotations

import dataclasses
import gzip
import json
import logging
import shutil
import socket
import subprocess
import threading
from collections.abc import Callable, Iterator

import anthropic
import httpx2
import pytest

from tui_app.demo.pacing import UNPACED
from tui_app.demo.scripts import DEMO_MODELS, Answer, Raw, Script
from tui_app.demo.server import DemoServer
from tui_app.proxy.exchange import Exchange
from tui_app.proxy.process import ProxyProcess
from tui_app.proxy.server import InspectProxy
from tui_app.stream.backend import REDACTED

MODEL = DEMO_MODELS[0]
KEY = "sk-ant-secret-" + "Kq9" * 12
TOKEN = "sk-ant-oat01-" + "Tb4" * 12
GUARD = 10.0
"""Seconds after which a wait is a failure, never a pace."""
CONNECTION_HEADERS = {"connection", "keep-alive", "transfer-encoding", "date", "server"}
"""Headers about one connection (or added by the server that answers it): not compared between two answers."""


class Recorder:
    """A tap that keeps every call, and lets a test wait for exchanges to end."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int, float | None, bytes]] = []
        self.exchanges: dict[int, Exchange] = {}
        self._changed = threading.Condition()

    def request(self, exchange: Exchange) -> None:
        self._add("request", exchange)

    def response(self, exchange: Exchange) -> None:
        self._add("response", exchange)

    def chunk(self, exchange: Exchange, at: float, data: bytes) -> None:
        self._add("chunk", exchange, at, data)

    def ended(self, exchange: Exchange) -> None:
        self._add("ended", exchange)

    def _add(self, what: str, exchange: Exchange, at: float | None = None, data: bytes = b"") -> None:
        with self._changed:
            self.exchanges[exchange.number] = exchange
            self.calls.append((what, exchange.number, at, data))
            self._changed.notify_all()

    def wait_for(self, condition: Callable[[], bool], what: str) -> None:
        with self._changed:
            assert self._changed.wait_for(condition, GUARD), f"no {what} within {GUARD} s"

    def ended_exchanges(self, count: int) -> list[Exchange]:
        """The first `count` exchanges, once all of them have ended."""
        self.wait_for(lambda: len(self.ended_numbers()) >= count, f"{count} exchanges ended")
        return [self.exchanges[number] for number in range(1, count + 1)]

    def ended_numbers(self) -> list[int]:
        return [number for what, number, _, _ in self.calls if what == "ended"]

    def body(self, number: int) -> bytes:
        return b"".join(data for what, seen, _, data in self.calls if what == "chunk" and seen == number)

    def order(self, number: int) -> list[str]:
        """The calls for one exchange, runs of chunks told once."""
        order: list[str] = []
        for what, seen, _, _ in self.calls:
            if seen == number and not (what == "chunk" and order[-1:] == ["chunk"]):
                order.append(what)
        return order


@pytest.fixture
def tap() -> Recorder:
    return Recorder()


@pytest.fixture(params=[InspectProxy, ProxyProcess], ids=["thread", "process"])
def proxy(request, demo: DemoServer, tap: Recorder) -> Iterator[InspectProxy | ProxyProcess]:
    """The proxy on a thread of this process, and in a process of its own as the app runs it: the same to
    its clients and its tap."""
    inspecting = request.param(demo.url, tap)
    inspecting.start()
    yield inspecting
    inspecting.stop()


@pytest.fixture
def sdk() -> Iterator[Callable[..., anthropic.Anthropic]]:
    """The official SDK's client for a base URL (no retries unless asked), closed after the test."""
    clients: list[anthropic.Anthropic] = []

    def client(url: str, **options) -> anthropic.Anthropic:
        clients.append(anthropic.Anthropic(base_url=url, **{"api_key": "sk-ant-test-000", "max_retries": 0,
                                                              **options}))
        return clients[-1]

    yield client
    for made in clients:
        made.close()


def messages_request(prompt: str, stream: bool = True) -> dict:
    return {"model": MODEL, "max_tokens": 256, "stream": stream, "messages": [{"role": "user", "content": prompt}]}


def raw_stream(url: str, prompt: str, headers: dict[str, str] | None = None) -> tuple[httpx2.Response, bytes]:
    """POST a streamed request and read the body as it came off the wire (no decoding of any kind)."""
    with httpx2.Client(timeout=GUARD) as client, client.stream(
            "POST", f"{url}/v1/messages", json=messages_request(prompt), headers=headers or {}) as response:
        return response, b"".join(response.iter_raw())


def end_to_end(headers: httpx2.Headers) -> dict[str, str]:
    return {name: value for name, value in headers.items() if name not in CONNECTION_HEADERS}


def scripted(*steps) -> Callable[..., Script]:
    return lambda request, pacing: Script("test", list(steps), complete=False)


# The official SDK, streamed and not


def test_the_sdk_streams_through_and_gets_the_bytes_the_tap_saw(demo, proxy, tap, sdk) -> None:
    client = sdk(proxy.url)
    with client.messages.with_streaming_response.create(model=MODEL, max_tokens=256, stream=True,
                                                         messages=[{"role": "user", "content": "essay"}]) as response:
        received = b"".join(response.iter_bytes())
        status, headers = response.status_code, response.headers
    (exchange,) = tap.ended_exchanges(1)
    assert received == tap.body(1) and received.endswith(b"event: message_stop\ndata: {\"type\": \"message_stop\"}\n\n")
    assert (exchange.method, exchange.path, exchange.status, exchange.failure) == ("POST", "/v1/messages", 200, None)
    assert json.loads(exchange.request_body)["messages"] == demo.requests[-1]["messages"]
    assert exchange.content_type.startswith("text/event-stream")
    # What the client got is what the upstream said, less what was about the proxy's own connections.
    upstream = {name: value for name, value in exchange.response_headers.items() if name not in CONNECTION_HEADERS}
    assert status == 200 and end_to_end(headers) == upstream
    assert headers["transfer-encoding"] == "chunked"  # the upstream gave no length, so neither does the proxy
    # A direct request is answered with the same headers.
    direct, _ = raw_stream(demo.url, "essay")
    assert end_to_end(direct.headers).keys() == upstream.keys()


def test_the_sdk_parses_the_stream_and_the_other_endpoints_work(demo, proxy, tap, sdk) -> None:
    client = sdk(proxy.url)
    with client.messages.stream(model=MODEL, max_tokens=256, messages=[{"role": "user", "content": "echo hi"}]) as s:
        streamed = s.get_final_message()
    whole = client.messages.create(model=MODEL, max_tokens=256, messages=[{"role": "user", "content": "echo hi"}])
    counted = client.messages.count_tokens(model=MODEL, messages=[{"role": "user", "content": "echo hi"}])
    models = client.models.list(limit=5)
    exchanges = tap.ended_exchanges(4)
    assert streamed.content[0].text == whole.content[0].text == "You said: echo hi\n\n(This request carried 1 message.)"
    assert counted.input_tokens > 0
    assert [model.id for model in models.data] == list(DEMO_MODELS)
    assert [(exchange.method, exchange.path, exchange.status) for exchange in exchanges] == [
        ("POST", "/v1/messages", 200), ("POST", "/v1/messages", 200),
        ("POST", "/v1/messages/count_tokens", 200), ("GET", "/v1/models?limit=5", 200)]
    assert [exchange.number for exchange in exchanges] == [1, 2, 3, 4]
    assert json.loads(tap.body(4))["data"][0]["id"] == MODEL
    assert all(exchange.failure is None and exchange.finished >= exchange.started for exchange in exchanges)


def test_an_answer_with_a_length_keeps_it(proxy, tap) -> None:
    response = httpx2.get(f"{proxy.url}/v1/models", timeout=GUARD)
    (exchange,) = tap.ended_exchanges(1)
    assert response.headers["content-length"] == exchange.response_headers["content-length"]
    assert "transfer-encoding" not in response.headers and response.content == tap.body(1)


def test_the_tap_hears_request_response_chunks_then_the_end_in_order(proxy, tap, sdk) -> None:
    events = sdk(proxy.url).messages.create(model=MODEL, max_tokens=256, stream=True,
                                            messages=[{"role": "user", "content": "essay"}])
    assert [event.type for event in events][-1] == "message_stop"
    raw_stream(proxy.url, "essay")
    for exchange in tap.ended_exchanges(2):
        assert tap.order(exchange.number) == ["request", "response", "chunk", "ended"]
        times = [at for what, number, at, _ in tap.calls if what == "chunk" and number == exchange.number]
        assert times == sorted(times) and times[0] >= 0
        assert exchange.finished - exchange.started >= times[-1]


# Bytes as they were


def test_odd_bytes_reach_the_client_unchanged() -> None:
    odd = [Raw(b"event: ping\r\ndata: {\"type\": \"ping\"}\r\n\r\n"),
           Raw(b"data: \xff\xfe not UTF-8 \xc3\n\n"),
           Raw(b'event: content_block_delta\ndata: {"type": "content_bl'),
           Raw(b'ock_delta", "text": "caf\xc3'),
           Raw(b'\xa9"}\n\n'),
           Raw(b"\n\n\r\n:comment only\n\n")]
    server = DemoServer(pacing=UNPACED, script_for=scripted(*odd))
    server.start()
    tap = Recorder()
    inspecting = InspectProxy(server.url, tap)
    try:
        inspecting.start()
        _, direct = raw_stream(server.url, "odd")
        _, through = raw_stream(inspecting.url, "odd")
    finally:
        inspecting.stop()
        server.stop()
    assert through == direct == b"".join(step.data for step in odd)
    assert tap.body(1) == through


def test_a_compressed_answer_passes_compressed_and_the_tap_sees_it_undone() -> None:
    text = json.dumps({"type": "message", "content": [{"type": "text", "text": "squeezed " * 200}]}).encode()
    json_in = {"content-type": "application/json"}
    answers = iter([Answer(200, gzip.compress(text), {**json_in, "content-encoding": "gzip"}),
                    Answer(200, b"\x8b\x02\x80brotli?", {**json_in, "content-encoding": "br"})])
    server = DemoServer(pacing=UNPACED, script_for=lambda request, pacing: Script("test", [next(answers)]))
    server.start()
    tap = Recorder()
    inspecting = InspectProxy(server.url, tap)
    try:
        inspecting.start()
        with httpx2.Client(timeout=GUARD) as client:
            gzipped = client.post(f"{inspecting.url}/v1/messages", json=messages_request("zip", stream=False))
            brotli = client.post(f"{inspecting.url}/v1/messages", json=messages_request("br", stream=False))
    finally:
        inspecting.stop()
        server.stop()
    first, second = tap.ended_exchanges(2)
    assert gzipped.headers["content-encoding"] == "gzip" and gzipped.content == text  # httpx undid it, not the proxy
    assert int(gzipped.headers["content-length"]) == len(gzip.compress(text))
    assert tap.body(1) == text and first.note is None
    assert brotli.headers["content-encoding"] == "br" and tap.body(2) == b""
    assert second.note == "the body is encoded as br, which cannot be shown"


def test_curl_gets_the_stream(proxy, tap) -> None:
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    result = subprocess.run(["curl", "-sN", f"{proxy.url}/v1/messages", "-H", "content-type: application/json",
                             "-H", "anthropic-version: 2023-06-01", "-d", json.dumps(messages_request("essay"))],
                            capture_output=True, timeout=GUARD)
    tap.ended_exchanges(1)
    assert result.returncode == 0 and result.stdout == tap.body(1)
    assert result.stdout.startswith(b"event: message_start") and b"event: message_stop" in result.stdout


# Faults, as the client would have met them directly


def test_an_error_event_mid_stream_passes_as_it_is(proxy, tap, sdk) -> None:
    response, body = raw_stream(proxy.url, "overload")
    (exchange,) = tap.ended_exchanges(1)
    assert response.status_code == 200 and b"event: error" in body and body == tap.body(1)
    assert exchange.failure is None  # the HTTP exchange was whole; what it says is the app's to show
    with pytest.raises(anthropic.APIStatusError, match="Overloaded"):
        for _ in sdk(proxy.url).messages.create(model=MODEL, max_tokens=256, stream=True,
                                                messages=[{"role": "user", "content": "overload"}]):
            pass


def test_a_dropped_upstream_cuts_the_client_off_too(proxy, tap) -> None:
    with pytest.raises((httpx2.RemoteProtocolError, httpx2.ReadError)):
        raw_stream(proxy.url, "drop")
    (exchange,) = tap.ended_exchanges(1)
    assert exchange.failure == "the upstream dropped the connection"
    assert tap.body(1).startswith(b"event: message_start") and b"message_stop" not in tap.body(1)
    assert tap.order(1) == ["request", "response", "chunk", "ended"]
    if shutil.which("curl"):
        result = subprocess.run(["curl", "-sN", f"{proxy.url}/v1/messages", "-H", "content-type: application/json",
                                 "-d", json.dumps(messages_request("drop"))], capture_output=True, timeout=GUARD)
        assert result.returncode == 18  # "transfer closed with outstanding read data remaining"
        tap.ended_exchanges(2)
        assert result.stdout == tap.body(2)


def test_an_http_error_passes_with_its_status_and_body(demo, proxy, tap, sdk) -> None:
    response = httpx2.post(f"{proxy.url}/v1/messages", json=messages_request("status 529"), timeout=GUARD)
    (exchange,) = tap.ended_exchanges(1)
    assert (response.status_code, response.reason_phrase) == (529, "Overloaded") == (exchange.status, exchange.reason)
    assert response.content == tap.body(1) and response.json()["error"]["type"] == "overloaded_error"
    # The SDK's own retries go through as they would directly: two refusals, then the reply.
    reply = sdk(proxy.url, max_retries=2).messages.create(
        model=MODEL, max_tokens=256, messages=[{"role": "user", "content": "flaky 529 echo"}])
    assert reply.content[0].text.startswith("You said:")
    assert [exchange.status for exchange in tap.ended_exchanges(4)] == [529, 529, 529, 200]


def test_an_unreachable_upstream_answers_502_with_an_api_error(tap, sdk) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    inspecting = InspectProxy(f"http://127.0.0.1:{port}", tap)
    inspecting.start()
    try:
        response = httpx2.post(f"{inspecting.url}/v1/messages", json=messages_request("hi"), timeout=GUARD)
        with pytest.raises(anthropic.APIStatusError) as raised:
            sdk(inspecting.url).messages.create(model=MODEL, max_tokens=256, messages=[{"role": "user",
                                                                                        "content": "hi"}])
    finally:
        inspecting.stop()
    assert response.status_code == 502 and response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["type"] == "error" and body["error"]["type"] == "api_error"
    assert body["error"]["message"].startswith(f"claude-tui could not reach http://127.0.0.1:{port}: ")
    assert raised.value.status_code == 502 and "claude-tui could not reach" in str(raised.value)
    exchange = tap.ended_exchanges(1)[0]
    assert exchange.failure.startswith(f"cannot reach http://127.0.0.1:{port}: ") and exchange.status is None
    assert tap.order(1) == ["request", "ended"]


def test_a_client_that_hangs_up_closes_the_upstream_answer(tap) -> None:
    upstream_closed = threading.Event()

    def answer(connection: socket.socket, head: bytes, body: bytes) -> None:
        connection.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
                           + chunked(b"event: ping\ndata: {}\n\n"))
        connection.settimeout(GUARD)
        while connection.recv(65536):
            pass
        upstream_closed.set()

    with RawUpstream(answer) as upstream:
        inspecting = InspectProxy(upstream.url, tap)
        inspecting.start()
        try:
            with httpx2.Client(timeout=GUARD) as client, client.stream(
                    "POST", f"{inspecting.url}/v1/messages", json=messages_request("hi")) as response:
                first = next(response.iter_raw())
            exchange = tap.ended_exchanges(1)[0]
            assert upstream_closed.wait(GUARD), "the proxy kept the upstream's answer open"
        finally:
            inspecting.stop()
    assert first == b"event: ping\ndata: {}\n\n"
    assert exchange.failure == "the client hung up" and exchange.finished is not None
    assert tap.order(1) == ["request", "response", "chunk", "ended"]


def test_stopping_cuts_off_the_streams_under_way(demo, tap) -> None:
    inspecting = InspectProxy(demo.url, tap)
    inspecting.start()
    failures: list[BaseException] = []

    def read() -> None:
        try:
            raw_stream(inspecting.url, "stall")
        except httpx2.HTTPError as error:
            failures.append(error)

    reader = threading.Thread(target=read)
    reader.start()
    tap.wait_for(lambda: any(what == "chunk" for what, _, _, _ in tap.calls), "the stalled stream's first piece")
    inspecting.stop()
    reader.join(GUARD)
    assert [type(error) for error in failures] in ([httpx2.RemoteProtocolError], [httpx2.ReadError])
    assert tap.ended_exchanges(1)[0].failure == "claude-tui stopped"


# Credentials


def test_keys_reach_the_upstream_and_nowhere_else(demo, proxy, tap, caplog, sdk) -> None:
    caplog.set_level(logging.DEBUG)
    raw_stream(proxy.url, "essay", {"x-api-key": KEY, "anthropic-version": "2023-06-01"})
    with sdk(proxy.url, api_key=TOKEN).messages.stream(model=MODEL, max_tokens=256,
                                                       messages=[{"role": "user", "content": "essay"}]) as stream:
        stream.until_done()
    exchanges = tap.ended_exchanges(2)
    assert demo.request_headers[0]["x-api-key"] == KEY
    assert demo.request_headers[1]["authorization"] == f"Bearer {TOKEN}"
    assert exchanges[0].request_headers["x-api-key"] == "(hidden)"
    assert exchanges[1].request_headers["authorization"] == "(hidden)"
    for exchange in exchanges:
        shown = [repr(exchange), str(exchange)] + [repr(getattr(exchange, field.name))
                                                   for field in dataclasses.fields(exchange)]
        assert not any(secret in text for text in shown for secret in (KEY, TOKEN))
    assert exchanges[0].redact(f"key={KEY}") == f"key={REDACTED}"
    assert exchanges[1].redact(f"Authorization: Bearer {TOKEN}") == f"Authorization: {REDACTED}"
    assert exchanges[1].redact(f"key={KEY}") == f"key={KEY}"  # each exchange knows only its own
    assert not any(secret in record.getMessage() for record in caplog.records for secret in (KEY, TOKEN))


def test_a_short_value_is_hidden_but_not_searched_for() -> None:
    exchange = Exchange.arrived(1, "127.0.0.1:1", "GET", "/", [("X-Api-Key", "abc"), ("Cookie", "a=b")], b"", 0.0)
    assert exchange.request_headers == {"x-api-key": "(hidden)", "cookie": "(hidden)"}
    assert exchange.redact("abc") == "abc"


# Many clients, and what the upstream is sent


def test_two_clients_stream_at_once_each_to_the_end(tap) -> None:
    """Both answers are half sent before either upstream goes on, so neither waits behind the other."""
    halves = threading.Barrier(3, timeout=GUARD)
    frames = [b"event: ping\ndata: {\"n\": %d}\n\n" % number for number in range(200)]

    def answer(connection: socket.socket, head: bytes, body: bytes) -> None:
        mine = [frame.replace(b"}", b", \"who\": \"%s\"}" % json.loads(body)["prompt"].encode()) for frame in frames]
        connection.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
                           + b"".join(chunked(frame) for frame in mine[:100]))
        halves.wait()
        connection.sendall(b"".join(chunked(frame) for frame in mine[100:]) + b"0\r\n\r\n")

    def expected(who: bytes) -> bytes:
        return b"".join(frame.replace(b"}", b", \"who\": \"%s\"}" % who) for frame in frames)

    received: dict[str, bytes] = {}

    def read(prompt: str) -> None:
        with httpx2.Client(timeout=GUARD) as client, client.stream(
                "POST", f"{inspecting.url}/v1/messages", content=b'{"prompt": "%s"}' % prompt.encode()) as response:
            received[prompt] = b"".join(response.iter_raw())

    with RawUpstream(answer) as upstream:
        inspecting = InspectProxy(upstream.url, tap)
        inspecting.start()
        try:
            readers = [threading.Thread(target=read, args=(prompt,)) for prompt in ("first one", "second one")]
            for reader in readers:
                reader.start()
            tap.wait_for(lambda: len({number for what, number, _, _ in tap.calls if what == "chunk"}) == 2,
                         "both answers begun")
            halves.wait()
            for reader in readers:
                reader.join(GUARD)
        finally:
            inspecting.stop()
    assert received == {"first one": expected(b"first one"), "second one": expected(b"second one")}
    assert all(exchange.failure is None for exchange in tap.ended_exchanges(2))


def test_the_upstream_gets_the_path_and_only_the_clients_headers(tap) -> None:
    def answer(connection: socket.socket, head: bytes, body: bytes) -> None:
        connection.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: keep-alive\r\n"
                           b"keep-alive: timeout=5\r\nx-extra: kept\r\n\r\n{}")

    with RawUpstream(answer) as upstream:
        inspecting = InspectProxy(upstream.url + "/prefix/", tap)
        inspecting.start()
        try:
            response = httpx2.post(f"{inspecting.url}/v1/messages/count_tokens?beta=true&x=%2F", content=b"{}",
                                   headers={"x-api-key": KEY, "X-Mixed-Case": "Value", "Proxy-Authorization": "a",
                                            "TE": "trailers", "connection": "keep-alive, x-drop-me",
                                            "x-drop-me": "1", "Expect": "100-continue"}, timeout=GUARD)
        finally:
            inspecting.stop()
    head = upstream.heads[0].decode("latin-1").split("\r\n")
    assert head[0] == "POST /prefix/v1/messages/count_tokens?beta=true&x=%2F HTTP/1.1"
    sent = {line.partition(":")[0].lower(): line.partition(":")[2].strip() for line in head[1:] if line}
    # httpx's own headers are the client's too; aiohttp adds none of its own, and nothing hop-by-hop passes.
    assert sent.keys() == {"host", "accept", "accept-encoding", "user-agent", "x-api-key", "x-mixed-case",
                           "content-length"}
    assert (sent["host"], sent["x-api-key"], sent["content-length"]) == (upstream.url.removeprefix("http://"), KEY, "2")
    assert sent["user-agent"].startswith("python-httpx")
    assert "X-Mixed-Case: Value" in head  # names as the client wrote them
    assert upstream.bodies == [b"{}"]
    assert response.status_code == 200 and response.headers["x-extra"] == "kept"
    assert "keep-alive" not in response.headers


def test_a_taken_port_fails_at_start(proxy, tap) -> None:
    with pytest.raises(OSError):
        InspectProxy("http://127.0.0.1:1", tap, port=proxy.port).start()


# An upstream of the test's own, for what the demo backend cannot do on cue


def chunked(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


class RawUpstream:
    """An HTTP server on a plain socket: each request's head and body are kept, and `answer` writes whatever
    the test wants on a thread of its own."""

    def __init__(self, answer: Callable[[socket.socket, bytes, bytes], None]) -> None:
        self.answer = answer
        self.heads: list[bytes] = []
        self.bodies: list[bytes] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def __enter__(self) -> RawUpstream:
        return self

    def __exit__(self, *_: object) -> None:
        self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        with connection:
            connection.settimeout(GUARD)
            received = b""
            while b"\r\n\r\n" not in received:
                received += connection.recv(65536)
            head, _, body = received.partition(b"\r\n\r\n")
            length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length:")), 0)
            while len(body) < length:
                body += connection.recv(65536)
            self.heads.append(head)
            self.bodies.append(body)
            self.answer(connection, head, body)


@pytest.mark.parametrize("wrapped", [True, False])
def test_deflate_with_or_without_its_wrapper_is_undone_piece_by_piece(wrapped) -> None:
    import zlib

    from tui_app.proxy.exchange import BodyDecoder

    text = b"data: " + b"deflated " * 300
    squeezer = zlib.compressobj(wbits=zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
    squeezed = squeezer.compress(text) + squeezer.flush()
    decoder = BodyDecoder("deflate")
    undone = b"".join(decoder.feed(squeezed[at : at + 7]) for at in range(0, len(squeezed), 7)) + decoder.flush()
    assert undone == text and decoder.note is None


def test_a_body_that_is_not_what_its_encoding_says_is_noted_not_shown() -> None:
    from tui_app.proxy.exchange import BodyDecoder

    decoder = BodyDecoder("gzip")
    assert decoder.feed(b"plainly not gzip") == b"" and decoder.feed(b"more") == b""
    assert decoder.note.startswith("the gzip body could not be undone for showing")
    assert BodyDecoder("identity").feed(b"as is") == b"as is"
    assert BodyDecoder("gzip, br").note == "the body is encoded as gzip, br, which cannot be shown"
