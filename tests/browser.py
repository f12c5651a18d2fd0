"""A real headless Chromium for the HTML pages, driven over the DevTools protocol on a pipe.

Chromium is started with ``--remote-debugging-pipe``: it reads commands (JSON, each ended by a NUL)
on file descriptor 3 and writes answers and events on 4 — no port, no extra library. A page is
loaded from a file URL; everything it asks the network for and every console error is recorded,
so a test can say "no request left the file, nothing went wrong" and then read the DOM, take a
screenshot or print to PDF as a user would.

Debian's ``chromium`` package (``.ci/run`` installs it, with a CJK font for the screenshots); the
tests fail, never skip, without it. Its background services are switched off, as this machine has
no way out and Chromium would otherwise keep trying.
"""

from __future__ import annotations

import base64
import json
import os
import re
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
         "--remote-debugging-pipe")


def executable() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError("Chromium is not installed: apt-get install chromium fonts-wqy-zenhei (.ci/run does)")


@dataclass
class Loaded:
    url: str
    seconds: float  # from navigating to the load event
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class Browser:
    def __init__(self, width: int = 1100, height: int = 1400) -> None:
        self.profile = tempfile.mkdtemp(prefix="checklist-chromium-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        os.dup2(to_browser_r, 100)
        os.dup2(from_browser_w, 101)

        def descriptors() -> None:  # in the child: the protocol's fds 3 (commands in) and 4 (answers out)
            os.dup2(100, 3)
            os.dup2(101, 4)

        self.proc = subprocess.Popen(
            [executable(), *FLAGS, f"--user-data-dir={self.profile}", f"--window-size={width},{height}",
             "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            close_fds=False, preexec_fn=descriptors)  # (close_fds would close 3 and 4 after preexec_fn)
        for fd in (to_browser_r, from_browser_w, 100, 101):
            os.close(fd)
        self._buffer = b""
        self._next = 0
        self._events: list[dict[str, Any]] = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=True)

    # -- the protocol ------------------------------------------------------------------------------------

    def _send(self, message: dict[str, Any]) -> None:
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")

    def _receive(self, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_browser], [], [], left)[0]:
                raise TimeoutError("Chromium did not answer")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method: str, session: bool = False, timeout: float = 30, **params: Any) -> dict[str, Any]:
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        self._send(message)
        while True:
            answer = self._receive(timeout)
            if answer.get("id") == self._next:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result", {})
            self._events.append(answer)

    def _wait_for(self, method: str, timeout: float) -> None:
        while not any(e.get("method") == method for e in self._events):
            self._events.append(self._receive(timeout))

    # -- what tests use ---------------------------------------------------------------------------------

    def load(self, path: Path, timeout: float = 30) -> Loaded:
        url = path.resolve().as_uri()
        self._events.clear()
        started = time.monotonic()
        self.call("Page.navigate", session=True, url=url)
        self._wait_for("Page.loadEventFired", timeout)
        seconds = time.monotonic() - started
        self.evaluate("1")  # let anything the load queued (console messages) arrive
        loaded = Loaded(url, seconds)
        for event in self._events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Network.requestWillBeSent":
                loaded.requests.append(params["request"]["url"])
            elif method == "Runtime.exceptionThrown":
                loaded.errors.append(params["exceptionDetails"].get("text", "exception"))
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert", "warning"):
                loaded.errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params["args"]))
            elif method == "Log.entryAdded" and params["entry"].get("level") in ("error", "warning"):
                loaded.errors.append(params["entry"].get("text", ""))
        return loaded

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", session=True, expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"].get("text"))
        return result["result"].get("value")

    def screenshot(self, out: Path, whole: bool = True) -> Path:
        """The page as drawn: all of it, or (``whole=False``) what the window shows."""
        data = self.call("Page.captureScreenshot", session=True, format="png", captureBeyondViewport=whole)["data"]
        out.write_bytes(base64.b64decode(data))
        return out

    def pdf(self, out: Path) -> int:
        """Print as the browser's print dialog would on A4; returns the number of pages."""
        data = self.call("Page.printToPDF", session=True, timeout=60, paperWidth=8.27, paperHeight=11.69,
                         preferCSSPageSize=True, printBackground=True)["data"]
        raw = base64.b64decode(data)
        out.write_bytes(raw)
        return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", raw))

    def close(self) -> None:
        try:
            self.call("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._to_browser, self._from_browser):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
