"""The SSE decoder and the reply it feeds give the same result for any split of the byte stream."""

from __future__ import annotations

import json
import re
import tracemalloc
from collections.abc import Iterable

from hypothesis import given, settings
from hypothesis import strategies as st

from tui_app.stream.events import wire_event_from_frame
from tui_app.stream.reply import Reply
from tui_app.stream.sse import FRAME_CHARS_LIMIT, FRAME_LINES_LIMIT, SSEDecoder, SSEFrame

TEXT_PIECES = ["Hé", "llo ", "日本語", " 🚀", "\n- item", "\r\nline", "a" * 7, "`code`", "ü"]


def build_stream(pieces: list[str], newline: str) -> bytes:
    """A Messages stream whose text deltas are `pieces`, framed with `newline`."""
    events = [("message_start", {"type": "message_start", "message": {"model": "m", "usage": {"input_tokens": 3}}}),
              ("ping", {"type": "ping"}),
              ("content_block_start", {"type": "content_block_start", "index": 0,
                                       "content_block": {"type": "text", "text": ""}})]
    for piece in pieces:
        events.append(("content_block_delta", {"type": "content_block_delta", "index": 0,
                                               "delta": {"type": "text_delta", "text": piece}}))
    events += [("content_block_stop", {"type": "content_block_stop", "index": 0}),
               ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn"},
                                  "usage": {"output_tokens": len(pieces)}}),
               ("message_stop", {"type": "message_stop"})]
    frames = [f"event: {name}{newline}data: {json.dumps(data, ensure_ascii=False)}{newline}{newline}"
              for name, data in events]
    return ("".join(frames)).encode("utf-8")


def decode(chunks: list[bytes]) -> tuple[list[tuple[str | None, str]], str]:
    decoder = SSEDecoder()
    frames = []
    for chunk in chunks:
        frames.extend(decoder.feed(chunk))
    frames.extend(decoder.finish())
    reply = Reply()
    for seq, frame in enumerate(frames):
        reply.apply(wire_event_from_frame(frame, seq, 0.0))
    return [(frame.event, frame.data) for frame in frames], reply.text


def split_at(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({0, *cuts, len(data)})
    return [data[start:end] for start, end in zip(points, points[1:])]


def test_every_single_split_point_gives_the_same_frames_and_text() -> None:
    for newline in ("\n", "\r\n", "\r"):
        data = build_stream(TEXT_PIECES, newline)
        expected_frames, expected_text = decode([data])
        assert expected_text == "".join(TEXT_PIECES)
        assert len(expected_frames) == len(TEXT_PIECES) + 6
        for cut in range(1, len(data)):
            assert decode([data[:cut], data[cut:]]) == (expected_frames, expected_text), (newline, cut)


def test_byte_by_byte_feeding_keeps_multibyte_characters_whole() -> None:
    data = build_stream(TEXT_PIECES, "\r\n")
    frames, text = decode([bytes([byte]) for byte in data])
    assert text == "".join(TEXT_PIECES)
    assert "\ufffd" not in text


@settings(max_examples=200, deadline=None)
@given(
    pieces=st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=12),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    cuts=st.lists(st.integers(min_value=0, max_value=4000), max_size=30),
)
def test_any_splits_of_any_text_give_the_same_text(pieces: list[str], newline: str, cuts: list[int]) -> None:
    data = build_stream(pieces, newline)
    whole = decode([data])
    assert whole[1] == "".join(pieces)
    assert decode(split_at(data, [cut % (len(data) + 1) for cut in cuts])) == whole


def test_truncated_utf8_at_the_end_becomes_a_replacement_character_not_a_crash() -> None:
    decoder = SSEDecoder()
    frames = decoder.feed(b"event: x\ndata: caf" + "é".encode()[:1])
    assert frames == []
    [frame] = decoder.finish()
    assert frame.truncated and frame.data == "caf\ufffd"


def test_comments_and_frames_without_an_event_are_recorded_with_their_oddity() -> None:
    decoder = SSEDecoder()
    frames = decoder.feed(b": keep-alive\n\ndata: {\"type\": \"ping\"}\n\nevent: x\ndata: {oops\n\n")
    events = [wire_event_from_frame(frame, seq, 0.0) for seq, frame in enumerate(frames)]
    assert [event.name for event in events] == ["comment", "(none)", "x"]
    assert events[1].problem == "frame has no event field"
    assert events[2].problem is not None and "not JSON" in events[2].problem


# Any byte stream, not only a Messages stream: field names, comments, every line end, characters cut in
# half and bytes that are not UTF-8 at all.
WIRE_PIECES = [b"data", b"event", b"id", b"retry", b":", b" ", b"\n", b"\r", b"\r\n", b"x", b"ping",
               "é".encode(), "🚀".encode(), "日".encode()[:2], b"\xff"]


def reference_frames(stream: bytes, frame_chars: int, frame_lines: int) -> list[SSEFrame]:
    """The frames of a whole stream, read one line at a time by the WHATWG rules, then cut to the limits."""
    *lines, unfinished = re.split("\r\n|\r|\n", stream.decode("utf-8", errors="replace"))
    frames: list[SSEFrame] = []
    frame: list[str] = []
    for line in lines:
        if line:
            frame.append(line)
        elif frame:
            frames.append(reference_frame(frame, frame_chars, frame_lines, truncated=False))
            frame = []
    if unfinished:
        frame.append(unfinished)
    if frame:
        frames.append(reference_frame(frame, frame_chars, frame_lines, truncated=True))
    return frames


def reference_frame(lines: list[str], frame_chars: int, frame_lines: int, *, truncated: bool) -> SSEFrame:
    kept: list[str] = []
    room, dropped = frame_chars, 0
    for line in lines:
        keep = line[:room] if len(kept) < frame_lines else ""
        room -= len(keep)
        dropped += len(line) - len(keep)
        if keep:
            kept.append(keep)
    event, data = "", []
    for line in kept:
        name, colon, value = line.partition(":")
        value = value.removeprefix(" ")
        if not name and colon:
            continue
        if name == "event":
            event = value
        elif name == "data":
            data.append(value)
    return SSEFrame(event or None, "\n".join(data), kept, truncated, dropped)


def feed_all(decoder: SSEDecoder, chunks: Iterable[bytes]) -> list[SSEFrame]:
    frames = []
    for chunk in chunks:
        frames.extend(decoder.feed(chunk))
    return frames + decoder.finish()


@settings(max_examples=400, deadline=None)
@given(
    pieces=st.lists(st.sampled_from(WIRE_PIECES), max_size=80),
    cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=20),
    frame_chars=st.integers(min_value=1, max_value=40),
    frame_lines=st.integers(min_value=1, max_value=5),
)
def test_any_split_of_any_stream_gives_the_frames_of_the_whole_stream_cut_to_the_limits(
    pieces: list[bytes], cuts: list[int], frame_chars: int, frame_lines: int
) -> None:
    stream = b"".join(pieces)
    expected = reference_frames(stream, frame_chars, frame_lines)
    limited = SSEDecoder(frame_chars=frame_chars, frame_lines=frame_lines)
    assert feed_all(limited, split_at(stream, [cut % (len(stream) + 1) for cut in cuts])) == expected
    assert feed_all(SSEDecoder(), [stream]) == reference_frames(stream, FRAME_CHARS_LIMIT, FRAME_LINES_LIMIT)


def test_a_frame_over_the_limit_keeps_its_first_characters_and_counts_the_rest() -> None:
    decoder = SSEDecoder(frame_chars=20)
    frames = feed_all(decoder, [b"event: big\ndata: 0123456789abcdef\n: more\n\nevent: next\ndata: ok\n\n"])
    assert frames == [
        SSEFrame("big", "0123", ["event: big", "data: 0123"], oversized=len("456789abcdef") + len(": more")),
        SSEFrame("next", "ok", ["event: next", "data: ok"]),
    ]


def test_a_line_fed_one_byte_at_a_time_gives_the_frame_it_gives_fed_whole() -> None:
    stream = ("data: " + "é🚀 a long delta " * 5_000 + "\r\n\r\n").encode()
    assert len(stream) > 100_000
    one_byte_chunks = [stream[i:i + 1] for i in range(len(stream))]
    [whole] = feed_all(SSEDecoder(), [stream])
    assert whole.data == "é🚀 a long delta " * 5_000 and whole.oversized == 0
    assert feed_all(SSEDecoder(), one_byte_chunks) == [whole]
    [cut] = feed_all(SSEDecoder(frame_chars=50_006), [stream])
    assert cut.data == whole.data[:50_000] and cut.oversized == len(whole.data) - 50_000
    assert feed_all(SSEDecoder(frame_chars=50_006), one_byte_chunks) == [cut]


def test_a_frame_at_the_limit_is_kept_whole_and_one_character_more_is_cut() -> None:
    event = "event: content_block_delta"
    value = "x" * (FRAME_CHARS_LIMIT - len(event) - len("data: "))
    stream = f"{event}\r\ndata: {value}".encode()
    chunks = [stream[i:i + 16_384] for i in range(0, len(stream), 16_384)]
    [whole] = feed_all(SSEDecoder(), [*chunks, b"\r\n\r\n"])
    assert whole.event == "content_block_delta" and whole.data == value and whole.oversized == 0
    [cut] = feed_all(SSEDecoder(), [*chunks, b"yz\r\n\r\n"])
    assert cut.data == value and cut.oversized == 2 and not cut.truncated


def test_a_200_mb_line_without_a_line_end_holds_the_limit_and_no_more() -> None:
    chunk = b"x" * 65_536
    count = 200_000_000 // len(chunk)
    decoder = SSEDecoder()
    tracemalloc.start()
    try:
        assert decoder.feed(b"data: ") == []
        for _ in range(count):
            assert decoder.feed(chunk) == []
        [frame] = decoder.finish()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert frame.truncated and frame.data == "x" * (FRAME_CHARS_LIMIT - len("data: "))
    assert frame.oversized == len("data: ") + count * len(chunk) - FRAME_CHARS_LIMIT
    assert peak < 3 * FRAME_CHARS_LIMIT  # the kept line and its data, never the line as sent
