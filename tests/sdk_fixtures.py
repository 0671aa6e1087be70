"""The Anthropic SDK's own streaming fixtures, for the installed SDK's version: taken at test time from its
source distribution on the package index (they are the SDK's, not this project's, so none is kept here),
and cached per version so that the download happens once."""

from __future__ import annotations

import fnmatch
import importlib.metadata
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path, PurePosixPath
from typing import NoReturn

import pytest

FIXTURE_PATTERNS = ("*/tests/lib/streaming/fixtures/*.txt", "*/tests/fixtures/*.sse")
"""Where the sdist keeps recorded streams (fnmatch's `*` crosses folders, so the second finds any depth)."""
DOWNLOAD_SECONDS = 300
COMPLETE = ".complete"
"""Written last into a version's folder: a folder without it is an interrupted extraction."""


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "claude-tui-tests"


def sdk_fixtures() -> list[Path]:
    """Every streaming fixture of the installed SDK's version, downloaded on first use. Skips the test when
    they cannot be had, or fails it where the environment variable CI is set."""
    version = importlib.metadata.version("anthropic")
    folder = cache_root() / f"anthropic-{version}"
    if not (folder / COMPLETE).exists():
        _fetch(version, folder)
    return sorted(path for path in folder.rglob("*") if path.is_file() and path.name != COMPLETE)


def _unavailable(reason: str) -> NoReturn:
    message = f"the anthropic SDK's streaming fixtures are not available: {reason}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _fetch(version: str, folder: Path) -> None:
    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder.parent) as scratch:
        download = Path(scratch) / "sdist"
        command = [sys.executable, "-m", "pip", "download", f"anthropic=={version}", "--no-binary", ":all:",
                   "--no-deps", "--disable-pip-version-check", "-d", str(download)]
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=DOWNLOAD_SECONDS)
        except (OSError, subprocess.TimeoutExpired) as error:
            _unavailable(f"pip download did not finish ({error})")
        archives = sorted(download.glob("anthropic-*.tar.gz"))
        if result.returncode != 0 or not archives:
            last = (result.stderr.strip().splitlines() or ["no archive"])[-1]
            _unavailable(f"pip download anthropic=={version} failed: {last}")
        extracted = Path(scratch) / "fixtures"
        count = _extract(archives[0], extracted)
        if not count:
            _unavailable(f"the sdist of anthropic {version} holds no streaming fixtures")
        (extracted / COMPLETE).write_text(f"{count}\n")
        shutil.rmtree(folder, ignore_errors=True)  # an interrupted extraction's leftovers
        try:
            extracted.rename(folder)
        except OSError:
            if not (folder / COMPLETE).exists():  # another run got there first; else a real failure
                raise


def _extract(archive: Path, into: Path) -> int:
    """Copy the fixtures out of `archive` (paths kept below the sdist's top folder); how many there were."""
    count = 0
    with tarfile.open(archive) as sdist:
        for member in sdist.getmembers():
            if not member.isfile() or not any(fnmatch.fnmatch(member.name, pattern) for pattern in FIXTURE_PATTERNS):
                continue
            parts = PurePosixPath(member.name).parts[1:]
            if ".." in parts or not parts:
                continue
            source = sdist.extractfile(member)
            if source is None:
                continue
            target = into.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read())
            count += 1
    return count
