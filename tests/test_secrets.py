"""A planted API key, searched for in everything the app shows, writes and exports.

The key is real to the app: it talks to the demo backend as to any server, with the key in its
headers, and the test checks the key was sent, so finding it nowhere else means something.
"""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import WatchedTUI, notifications, send_and_finish
from tui_app.config import load_settings
from tui_app.demo.pacing import UNPACED
from tui_app.demo.server import DemoServer
from tui_app.settings import Settings
from tui_app.store.database import Store
from tui_app.store.export import export
from tui_app.widgets.event_log import EventLog

KEY = "sk-ant-api03-PLANTED-" + "Zq7" * 12


def carries_key(headers: dict[str, str]) -> bool:
    """The SDK sends the key as `x-api-key` or as a bearer token, depending on its version."""
    return KEY in (headers.get("x-api-key", ""), headers.get("authorization", "").removeprefix("Bearer "))


def test_the_key_reaches_the_server_and_nothing_else(tmp_path) -> None:
    import asyncio

    server = DemoServer(pacing=UNPACED)
    url = server.start()
    events_file = tmp_path / "events.jsonl"
    settings = Settings(demo_pacing=UNPACED, base_url=url, events_file=events_file)
    settings.history.file = str(tmp_path / "conversations.db")
    app = WatchedTUI(settings, environ={"ANTHROPIC_API_KEY": KEY})
    shown: list[str] = []

    async def drive() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            for prompt in ("think first", "status 401", "overload now", "drop it", "tool please"):
                await send_and_finish(pilot, prompt)
                shown.append(app.export_screenshot())
            await pilot.press("ctrl+r")
            await pilot.pause()
            shown.append(app.export_screenshot())
            await pilot.press("f1")
            await pilot.pause()
            shown.append(app.export_screenshot())
            log = app.query_one(EventLog)
            shown.extend(str(entry) if isinstance(entry, str) else entry.data for entry in log.entries)
            shown.extend(notifications(app))
            await app.writer.call(lambda: None)

    try:
        asyncio.run(drive())
    finally:
        server.stop()
    assert all(carries_key(headers) for headers in server.request_headers)
    assert len(server.request_headers) == 5
    store = Store.open(settings.history_path)
    conversation = store.load(store.last_conversation_id())
    events = {turn.id: store.events(turn.id) for turn in conversation.replies}
    exports = [export(conversation, "md"), export(conversation, "json", events)]
    store.close()
    files = [events_file.read_bytes(), *(path.read_bytes() for path in tmp_path.glob("conversations.db*"))]
    assert len(shown) > 10
    assert not [text for text in [*shown, *exports] if KEY in text]
    assert not [blob for blob in files if KEY.encode() in blob]
    assert not [text for text in [*shown, *exports] if KEY[-12:] in text]  # nor a tail of it


def run_with_key(tmp_path, *commands: list[str], env: dict[str, str] | None = None) -> list:
    """Run the CLI once per command, with the key set and a demo server as the backend; check the key
    reached the server each time."""
    server = DemoServer(pacing=UNPACED)
    url = server.start()
    base = {key: value for key, value in os.environ.items() if not key.startswith("ANTHROPIC_")}
    base.update(ANTHROPIC_API_KEY=KEY, ANTHROPIC_BASE_URL=url, XDG_CONFIG_HOME=str(tmp_path),
                XDG_DATA_HOME=str(tmp_path), **(env or {}))
    try:
        results = [subprocess.run([sys.executable, "-m", "tui_app", *args], capture_output=True, env=base, timeout=60)
                   for args in commands]
    finally:
        server.stop()
    assert server.request_headers and all(carries_key(headers) for headers in server.request_headers)
    return results


def test_print_mode_and_print_config_never_show_the_key(tmp_path) -> None:
    results = run_with_key(tmp_path, ["-p", "echo hi"], ["-p", "status 401"], ["-p", "status 529"],
                           ["--print-config"], ["-p", "drop", "--events", str(tmp_path / "e.jsonl")])
    outputs = [output for result in results for output in (result.stdout, result.stderr)]
    outputs.append((tmp_path / "e.jsonl").read_bytes())
    assert not [output for output in outputs if KEY.encode() in output]


def test_debug_logs_show_each_requests_headers_with_the_credentials_redacted(tmp_path) -> None:
    log_file = tmp_path / "debug.log"
    [to_file] = run_with_key(tmp_path, ["-p", "status 401", "--debug-log", str(log_file)])
    [to_stderr] = run_with_key(tmp_path, ["-p", "echo hi"], env={"ANTHROPIC_LOG": "debug"})
    logged = log_file.read_text()
    assert oct(log_file.stat().st_mode & 0o777) == "0o600"
    assert "-> 401 request headers" in logged and "'authorization': '[redacted]'" in logged
    stderr = to_stderr.stderr.decode()
    assert "Request options" in stderr and "'authorization': '[redacted]'" in stderr
    for output in (logged.encode(), to_file.stdout, to_file.stderr, to_stderr.stdout, to_stderr.stderr):
        assert KEY.encode() not in output and KEY[-12:].encode() not in output


def test_redaction_covers_the_shapes_headers_are_logged_in() -> None:
    from tui_app.stream.debug_log import redact

    assert redact(f"key {KEY} used", [KEY]) == "key [redacted] used"
    assert redact("{'x-api-key': 'abc', 'host': 'h'}") == "{'x-api-key': '[redacted]', 'host': 'h'}"
    assert redact("Authorization: Bearer abc\nnext") == "Authorization: [redacted]\nnext"
    assert redact('[(b"X-Api-Key", b"abc")]') == '[(b"X-Api-Key", b"[redacted]")]'
    assert redact("{'authorization': '[redacted]'}") == "{'authorization': '[redacted]'}"


def test_a_key_in_a_config_file_others_can_read_is_warned_about(tmp_path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'api_key = "{KEY}"\n')
    config.chmod(0o644)
    [problem] = load_settings({}, config).problems
    assert "never read from a file" in problem and "other users can read it (mode 644)" in problem
    assert f"chmod 600 {config}" in problem and KEY not in problem
    config.chmod(0o600)
    [problem] = load_settings({}, config).problems
    assert "other users" not in problem


URL_SECRETS = ("hunter2-userinfo", "tok-query-key", "tok-env-token", "sig-file")


def test_shown_url_redacts_credentials_and_keeps_the_rest_as_written() -> None:
    from tui_app.stream.backend import shown_url

    assert shown_url("https://user:pw@proxy.example:8443/v1") == "https://user:[redacted]@proxy.example:8443/v1"
    assert shown_url("https://sk-ant-token@proxy.example/") == "https://[redacted]@proxy.example/"
    assert shown_url("https://proxy.example/v1?key=a&model=m&api_key=b&Token=c&X-Amz-Signature=d&secret=e") == (
        "https://proxy.example/v1?key=[redacted]&model=m&api_key=[redacted]&Token=[redacted]"
        "&X-Amz-Signature=[redacted]&secret=[redacted]")
    assert shown_url("https://proxy.example/#access_token=x") == "https://proxy.example/#access_token=[redacted]"
    assert shown_url("http://localhost:4000") == "http://localhost:4000"
    assert shown_url("https://api.anthropic.com/v1?beta=true") == "https://api.anthropic.com/v1?beta=true"


def test_a_backend_s_label_and_repr_never_hold_url_credentials() -> None:
    from tui_app.stream.backend import Backend

    backend = Backend("https://me:hunter2-userinfo@proxy.example:8443/v1?key=tok-query-key", api_key=KEY)
    assert backend.label == "proxy.example:8443"
    assert backend.shown_url == "https://me:[redacted]@proxy.example:8443/v1?key=[redacted]"
    assert not [secret for secret in (*URL_SECRETS, KEY) if secret in repr(backend) or secret in backend.label]


def test_print_config_never_shows_credentials_in_the_base_url(tmp_path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('base_url = "https://proxy.example/v1?sig=sig-file"\n')
    base = {key: value for key, value in os.environ.items() if not key.startswith("ANTHROPIC_")}
    base.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path))
    runs = {
        "command line": (["--base-url", "https://me:hunter2-userinfo@proxy.example/?key=tok-query-key"], {}),
        "environment": ([], {"ANTHROPIC_BASE_URL": "https://proxy.example/?token=tok-env-token"}),
        "config file": (["--config", str(config)], {}),
    }
    for source, (args, env) in runs.items():
        result = subprocess.run([sys.executable, "-m", "tui_app", "--print-config", *args], capture_output=True,
                                text=True, timeout=60, env={**base, **env})
        assert result.returncode == 0, result.stderr
        assert not [secret for secret in URL_SECRETS if secret in result.stdout + result.stderr], source
        [line] = [line for line in result.stdout.splitlines() if line.startswith("base_url = ")]
        assert "[redacted]" in line and "proxy.example" in line and line.endswith("; credentials not shown"), source
        assert "# backend: https://" in result.stdout and "[redacted]" in result.stdout.split("# backend: ")[1]


async def test_the_app_never_shows_credentials_in_the_base_url(tmp_path) -> None:
    from tui_app.widgets.status_bar import StatusBar

    server = DemoServer(pacing=UNPACED)
    url = server.start()
    try:
        settings = Settings(demo_pacing=UNPACED, base_url=url.replace("http://", "http://me:hunter2-userinfo@"))
        settings.history.file = str(tmp_path / "conversations.db")
        app = WatchedTUI(settings, environ={"ANTHROPIC_API_KEY": KEY})
        async with app.run_test(size=(120, 40)) as pilot:
            await send_and_finish(pilot, "echo hello")
            assert app.sessions[-1].reply.text
            shown = [app.export_screenshot(), *notifications(app), str(app.query_one(StatusBar).render())]
    finally:
        server.stop()
    assert url.removeprefix("http://") in shown[-1]
    assert not [text for text in shown if "hunter2-userinfo" in text]


def test_the_debug_log_never_holds_credentials_in_a_url() -> None:
    from tui_app.stream.debug_log import redact

    line = redact('HTTP Request: POST http://me:hunter2pw@proxy.test:8080/v1/messages?key=qkey123 "HTTP/1.1 200 OK"')
    assert "hunter2pw" not in line and "qkey123" not in line
    assert "http://me:[redacted]@proxy.test:8080/v1/messages" in line and line.endswith('"HTTP/1.1 200 OK"')
