"""The SSE decoder on long lines and on a normal stream, before and after a change, against a reference.

The reference is the least any decoder can do with the same bytes: `bytes.decode` and `str.splitlines`
of the whole input in one go. Each input is fed as the network delivers it and timed (best of `--runs`;
a run over `--patience` seconds is not repeated), as a ratio to the reference measured in the same run:
- one `data:` line of 5, 10, 20 and 50 MB in 16 KiB chunks (what httpx delivers);
- a 200 MB line with no line end at all (after only: before, it is quadratic);
- a normal reply of 20,000 text deltas, one chunk per event (a paced server) and in 16 KiB chunks.

"Before" is `tui_app/stream/sse.py` as of `--before` (a git revision, HEAD by default: the committed
decoder against the one in the working tree), "after" is the working tree's. Both are loaded from their
source, not from the installed package. "After, no limit" is the same decoder with its frame limit lifted,
to show the scan itself is linear when every character is kept. A last pass under `tracemalloc` gives
each decoder's peak memory for the long lines.

    python benchmarks/sse_decoder.py [--before REV] [--runs 5] [--patience 5]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

ROOT = Path(__file__).resolve().parents[1]
SOURCE = "tui_app/stream/sse.py"
CHUNK = 16 * 1024
LINE_MEGABYTES = (5, 10, 20, 50)
NO_LINE_END_MEGABYTES = 200
DELTAS = 20_000
WORDS = "streaming a long reply: the quick brown fox jumps over the lazy dog, again and again. "


class Decoder(Protocol):
    def feed(self, chunk: bytes) -> list[Any]: ...
    def finish(self) -> list[Any]: ...


@dataclass(frozen=True)
class Case:
    """One input, split as the network would deliver it."""

    name: str
    data: bytes
    chunks: list[bytes]
    long_line: bool
    """A single long line: also run with the limit lifted, and measured for memory."""
    before: bool = True
    """Whether the decoder before the change is run on it."""


def load(name: str, source: str) -> ModuleType:
    """The decoder module compiled from `source`, under a name of its own."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}.py"
        path.write_text(source)
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while the class is made
        spec.loader.exec_module(module)
    return module


def long_line(megabytes: int, *, line_end: bool) -> bytes:
    size = megabytes * 1_000_000
    text = (WORDS * (size // len(WORDS) + 1))[:size]
    head = '{"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "'
    tail = '"}}\n\n' if line_end else ""
    return f"event: content_block_delta\ndata: {head}{text}{tail}".encode()


def delta_frames(count: int) -> list[bytes]:
    words = WORDS.split(" ")
    frames = []
    for n in range(count):
        data = {"type": "content_block_delta", "index": 0,
                "delta": {"type": "text_delta", "text": words[n % len(words)] + " "}}
        frames.append(f"event: content_block_delta\ndata: {json.dumps(data)}\n\n".encode())
    return frames


def in_chunks(data: bytes) -> list[bytes]:
    return [data[start:start + CHUNK] for start in range(0, len(data), CHUNK)]


def cases() -> list[Case]:
    found = []
    for mb in LINE_MEGABYTES:
        data = long_line(mb, line_end=True)
        found.append(Case(f"{mb} MB line, 16 KiB chunks", data, in_chunks(data), True))
    data = long_line(NO_LINE_END_MEGABYTES, line_end=False)
    found.append(Case(f"{NO_LINE_END_MEGABYTES} MB, no line end", data, in_chunks(data), True, before=False))
    frames = delta_frames(DELTAS)
    data = b"".join(frames)
    found.append(Case(f"{DELTAS:,} deltas, chunk each", data, frames, False))
    found.append(Case(f"{DELTAS:,} deltas, 16 KiB chunks", data, in_chunks(data), False))
    return found


def decode_all(make: Callable[[], Decoder], chunks: list[bytes]) -> int:
    decoder = make()
    frames = 0
    for chunk in chunks:
        frames += len(decoder.feed(chunk))
    return frames + len(decoder.finish())


def reference(data: bytes) -> int:
    return len(data.decode("utf-8").splitlines())


def best(run: Callable[[], object], runs: int, patience: float) -> float:
    times: list[float] = []
    while len(times) < runs:
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
        if times[-1] > patience:
            break
    return min(times)


def peak_megabytes(run: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="HEAD", help="the git revision whose decoder is 'before'")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--patience", type=float, default=5.0, help="seconds past which a run is not repeated")
    options = parser.parse_args()
    old_source = subprocess.run(["git", "show", f"{options.before}:{SOURCE}"], cwd=ROOT, check=True,
                                capture_output=True, text=True).stdout
    old = load("sse_before", old_source)
    new = load("sse_after", (ROOT / SOURCE).read_text())
    decoders: dict[str, Callable[[], Decoder]] = {
        "before": old.SSEDecoder,
        "after": new.SSEDecoder,
        "after, no limit": lambda: new.SSEDecoder(frame_chars=sys.maxsize),
    }
    print(f"before: {SOURCE} at {options.before}; after: the working tree's; limit {new.FRAME_CHARS_LIMIT:,} "
          f"characters; best of {options.runs} (one run past {options.patience:g} s), ms and ratio to "
          "decode + splitlines of the whole input")
    print(f"{'input':<32}{'reference':>10}" + "".join(f"{name:>22}" for name in decoders))
    peaks: list[str] = []
    for case in cases():
        data, chunks = case.data, case.chunks
        wanted = [name for name in decoders
                  if (case.before or name != "before") and (case.long_line or name != "after, no limit")]
        base = best(lambda data=data: reference(data), options.runs, options.patience)
        row = f"{case.name:<32}{base * 1000:>8.1f}ms"
        for name in decoders:
            if name not in wanted:
                row += f"{'–':>22}"
                continue
            make = decoders[name]
            seconds = best(lambda make=make, chunks=chunks: decode_all(make, chunks), options.runs, options.patience)
            row += f"{seconds * 1000:>12.1f}ms {seconds / base:>6.1f}x"
        print(row, flush=True)
        if case.long_line:
            def peak(name: str, chunks: list[bytes] = chunks) -> float:
                return peak_megabytes(lambda: decode_all(decoders[name], chunks))

            figures = "".join(f"{peak(name):>20.1f}MB" if name in wanted else f"{'–':>22}" for name in decoders)
            peaks.append(f"{case.name:<32}{len(data) / 1e6:>8.1f}MB{figures}")
    print("\npeak memory under tracemalloc, input size beside it")
    print(f"{'input':<32}{'input':>10}" + "".join(f"{name:>22}" for name in decoders))
    print("\n".join(peaks))


if __name__ == "__main__":
    main()
