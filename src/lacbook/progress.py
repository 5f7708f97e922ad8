"""What the build says while it runs: quiet when fast, informative when slow, plain in logs.

On a terminal, one status line rewritten in place shows what is running now
(which chapter in which language and for how long, where each edition's
Sphinx is); the lines that stay say what finished and how long it took. When
the output is no terminal (CI logs, pipes) only the lines that stay are
written, plus, while something has been running for long, one line every
`heartbeat` seconds saying what.
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from typing import TextIO


class Progress:
    """The build's voice. Use as a context manager; `begin`/`update`/`end` the things that run."""

    def __init__(self, stream: TextIO | None = None, heartbeat: float = 20.0, tick: float = 0.5) -> None:
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty()
        self.heartbeat, self.tick = heartbeat, tick
        self.active: dict[str, tuple[str, float]] = {}  # key -> (what it is doing, since when)
        self.heading = ""  # what the things running have in common ("running: ")
        self.lock = threading.Lock()
        self.started = time.monotonic()
        self._shown = False  # a status line is on screen (terminal only)
        self._quiet_since = time.monotonic()
        self._done = threading.Event()
        self._ticker = threading.Thread(target=self._tick, daemon=True)

    def __enter__(self) -> Progress:
        self._ticker.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._ticker.join()
        with self.lock:
            self._clear()

    def begin(self, key: str, text: str) -> None:
        with self.lock:
            self.active[key] = (text, time.monotonic())
            self._draw()

    def update(self, key: str, text: str) -> None:
        """New words for something running; its clock keeps going."""
        with self.lock:
            since = self.active.get(key, (text, time.monotonic()))[1]
            self.active[key] = (text, since)
            self._draw()

    def end(self, key: str, line: str | None = None) -> None:
        with self.lock:
            self.active.pop(key, None)
            if line:
                self._say(line)
            self._draw()

    def say(self, line: str) -> None:
        with self.lock:
            self._say(line)
            self._draw()

    def status(self) -> str:
        """What runs now and for how long, longest first."""
        now = time.monotonic()
        running = sorted(self.active.values(), key=lambda item: item[1])
        parts = [f"{text} {now - since:.0f} s" for text, since in running]
        return f"[{now - self.started:.0f} s] {self.heading}{', '.join(parts)}" if parts else ""

    def _say(self, line: str) -> None:
        self._clear()
        self.stream.write(line + "\n")
        self.stream.flush()
        self._quiet_since = time.monotonic()

    def _clear(self) -> None:
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False

    def _draw(self) -> None:
        text = self.status()
        if not self.tty or not (text or self._shown):
            return
        width = shutil.get_terminal_size().columns - 1
        self.stream.write("\r\x1b[K" + (text[: width - 1] + "…" if len(text) > width else text))
        self.stream.flush()
        self._shown = bool(text)

    def _tick(self) -> None:
        while not self._done.wait(self.tick):
            with self.lock:
                if self.tty:
                    self._draw()
                elif self.active and time.monotonic() - self._quiet_since >= self.heartbeat:
                    self._say(f"  still running: {self.status()}")
