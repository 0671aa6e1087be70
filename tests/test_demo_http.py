"""The demo backend's HTTP as clients other than the SDK speak it: raw sockets, HTTP/1.0, curl."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
from typing import Any, BinaryIO

import pytest

from tui_app.demo.http import MAX_BODY_BYTES
from tui_app.demo.pacing import UNPACED
from tui_app.demo.server import DemoServer

TIMEOUT = 10.0
"""Seconds a socket waits for the server before the test fails (a guard, never a pause)."""
ECHO = {"model": "claude-sonnet-5", "max_tokens": 100, "messages": [{"role": "user", "content": "echo hi"}]}


@pytest.fixture
def server(demo: DemoServer) -> DemoServer:
    """The unpaced demo backend (conftest's `demo`), under the name this file's tests use."""
    return demo


def connect(server: DemoServer) -> tuple[socket.socket, BinaryIO]:
    sock = socket.create_connection((server.host, server.port), timeout=TIMEOUT)
    return sock, sock.makefile("rb")


def head(method: str, path: str, headers: dict[str, str], version: str = "HTTP/1.1") -> bytes:
    lines = [f"{method} {path} {version}", "host: demo", *(f"{name}: {value}" for name, value in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def request(method: str, path: str, body: dict[str, Any] | None = None, version: str = "HTTP/1.1") -> bytes:
    data = b"" if body is None else json.dumps(body).encode()
    return head(method, path, {"content-type": "application/json", "content-length": str(len(data))}, version) + data


def read_answer(stream: BinaryIO) -> tuple[str, dict[str, str], bytes]:
    """One answer: its status line, headers (by lower-case name) and body, however it is framed."""
    status = stream.readline().decode("latin-1").rstrip("\r\n")
    headers = {}
    while (line := stream.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        return status, headers, stream.read(int(headers["content-length"]))
    if headers.get("transfer-encoding") == "chunked":
        body = b""
        while size := int(stream.readline().split(b";")[0], 16):
            body += stream.read(size)
            assert stream.readline() == b"\r\n"
        assert stream.readline() == b"\r\n"
        return status, headers, body
    return status, headers, stream.read()  # the body ends where the connection does


def exchange(server: DemoServer, data: bytes) -> tuple[str, dict[str, str], bytes]:
    sock, stream = connect(server)
    with sock, stream:
        sock.sendall(data)
        return read_answer(stream)


def events(body: bytes) -> list[str]:
    return [line.removeprefix("event: ") for line in body.decode().splitlines() if line.startswith("event: ")]


def test_expect_100_continue_is_answered_before_the_body_is_sent(server: DemoServer) -> None:
    body = json.dumps(ECHO).encode()
    sock, stream = connect(server)
    with sock, stream:
        sock.sendall(head("POST", "/v1/messages", {"content-type": "application/json",
                                                   "content-length": str(len(body)), "expect": "100-continue"}))
        assert stream.readline() == b"HTTP/1.1 100 Continue\r\n"
        assert stream.readline() == b"\r\n"
        sock.sendall(body)
        status, _headers, answer = read_answer(stream)
    assert status == "HTTP/1.1 200 OK"
    assert json.loads(answer)["content"][0]["text"].startswith("You said: echo hi")
    assert server.requests == [ECHO]


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_sends_a_large_body_after_the_100_continue(server: DemoServer, tmp_path) -> None:
    body = {"model": ECHO["model"], "messages": [{"role": "user", "content": "long " * 220_000}]}
    file = tmp_path / "request.json"
    file.write_text(json.dumps(body))
    assert file.stat().st_size > 1024 * 1024  # curl asks with `Expect: 100-continue` above 1 KiB or 1 MiB, by version
    done = subprocess.run(["curl", "-sS", "-v", "--max-time", str(TIMEOUT), "-H", "content-type: application/json",
                           "--data-binary", f"@{file}", server.url + "/v1/messages/count_tokens"],
                          capture_output=True, text=True, check=True)
    assert "> Expect: 100-continue" in done.stderr
    assert "< HTTP/1.1 100 Continue" in done.stderr
    assert json.loads(done.stdout)["input_tokens"] > 200_000


def test_a_chunked_request_body_is_read(server: DemoServer) -> None:
    data = json.dumps(ECHO).encode()
    chunks = [data[:10], data[10:25], data[25:]]
    framed = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks) + b"0\r\n\r\n"
    status, _headers, answer = exchange(server, head(
        "POST", "/v1/messages", {"content-type": "application/json", "transfer-encoding": "chunked"}) + framed)
    assert status == "HTTP/1.1 200 OK"
    assert json.loads(answer)["type"] == "message"
    assert server.requests == [ECHO]


def test_an_http_1_0_client_gets_a_stream_ended_by_closing_and_json_with_a_length(server: DemoServer) -> None:
    status, headers, body = exchange(server, request("POST", "/v1/messages", {**ECHO, "stream": True}, "HTTP/1.0"))
    assert status.startswith("HTTP/1.0 200")
    assert "transfer-encoding" not in headers and "content-length" not in headers
    assert headers["content-type"] == "text/event-stream; charset=utf-8"
    assert events(body)[0] == "message_start" and events(body)[-1] == "message_stop"
    assert b"\r\n0\r\n" not in body  # no chunk framing in the events

    status, headers, body = exchange(server, request("POST", "/v1/messages", ECHO, "HTTP/1.0"))
    assert status.startswith("HTTP/1.0 200")
    assert int(headers["content-length"]) == len(body)
    assert json.loads(body)["type"] == "message"


@pytest.mark.parametrize("path", ["/v1/messages/", "/v1/messages?beta=true", "/v1/messages/?beta=true"])
def test_the_messages_path_with_a_slash_or_a_query(server: DemoServer, path: str) -> None:
    status, headers, body = exchange(server, request("POST", path, {**ECHO, "stream": True}))
    assert status == "HTTP/1.1 200 OK"
    assert headers["transfer-encoding"] == "chunked" and headers["request-id"].startswith("req_011C")
    assert events(body)[-1] == "message_stop"
    status, _headers, body = exchange(server, request("POST", path.replace("/messages", "/messages/count_tokens", 1),
                                                      {"model": ECHO["model"], "messages": ECHO["messages"]}))
    assert status == "HTTP/1.1 200 OK" and json.loads(body)["input_tokens"] > 0


@pytest.mark.parametrize("path", ["/v1/models/{id}", "/v1/models/{id}/", "/v1/models/{quoted}?beta=true"])
def test_one_model_by_its_id(server: DemoServer, path: str) -> None:
    server.model_ids = ["claude-sonnet-5", "claude-odd[1m]"]
    for model, quoted in (("claude-sonnet-5", "claude-sonnet-5"), ("claude-odd[1m]", "claude-odd%5B1m%5D")):
        status, _headers, body = exchange(server, request("GET", path.format(id=quoted, quoted=quoted)))
        assert status == "HTTP/1.1 200 OK", body
        assert json.loads(body)["id"] == model
    status, _headers, body = exchange(server, request("GET", "/v1/models/"))
    assert status == "HTTP/1.1 200 OK"
    assert [model["id"] for model in json.loads(body)["data"]] == server.model_ids


def test_other_paths_are_not_found_in_the_apis_words(server: DemoServer) -> None:
    for method, path, model in (("POST", "/v1/complete", None), ("GET", "/v1/messages", None),
                                ("GET", "/v1/models/claude-nothing", "claude-nothing")):
        status, headers, body = exchange(server, request(method, path, ECHO if method == "POST" else None))
        assert status == "HTTP/1.1 404 Not Found"
        error = json.loads(body)
        assert error["error"]["type"] == "not_found_error" and error["request_id"] == headers["request-id"]
        assert error["error"]["message"] == (f"model: {model}" if model else f"{method} {path} is not served here")
    assert server.requests == []


def test_two_requests_on_one_connection(server: DemoServer) -> None:
    sock, stream = connect(server)
    with sock, stream:
        sock.sendall(request("POST", "/v1/messages", {**ECHO, "stream": True}))
        status, headers, body = read_answer(stream)
        assert status == "HTTP/1.1 200 OK" and headers["transfer-encoding"] == "chunked"
        assert events(body)[-1] == "message_stop"
        sock.sendall(request("POST", "/v1/messages", ECHO))
        status, _headers, body = read_answer(stream)
        assert status == "HTTP/1.1 200 OK" and json.loads(body)["type"] == "message"
    assert len(server.requests) == 2


def test_a_body_over_the_limit_is_refused_before_it_is_read(server: DemoServer) -> None:
    status, headers, body = exchange(server, head("POST", "/v1/messages", {"content-length": str(MAX_BODY_BYTES + 1)}))
    assert status.startswith("HTTP/1.1 413")
    assert headers["connection"] == "close"
    assert json.loads(body)["error"]["type"] == "request_too_large"


def test_an_address_in_use_is_an_error_at_start() -> None:
    taken = socket.create_server(("127.0.0.1", 0))
    with taken:
        with pytest.raises(OSError):
            DemoServer(port=taken.getsockname()[1]).start()


async def test_an_address_in_use_is_an_error_at_listen() -> None:
    taken = socket.create_server(("127.0.0.1", 0))
    with taken:
        with pytest.raises(OSError):
            await DemoServer(port=taken.getsockname()[1]).listen()


def test_a_server_stopped_at_once_stops() -> None:
    demo = DemoServer(pacing=UNPACED)
    demo.start()
    demo.stop()
    assert demo._thread is not None and not demo._thread.is_alive()
    with pytest.raises(OSError):
        socket.create_connection((demo.host, demo.port), timeout=TIMEOUT)
