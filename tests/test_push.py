"""`graphkit push` against small local stores that behave in ways Virtuoso does not: one that
asks for no credentials, one that asks for Basic, one that answers a byte at a time. Each
records what it received (127.0.0.1 only)."""

from __future__ import annotations

import base64
import http.server
import threading
import time

import pytest
from click.testing import CliRunner

from conftest import REPO, run
from graphkit.cli import main

NT = REPO / "exports" / "graph.nt"


class Store(http.server.BaseHTTPRequestHandler):
    """A Graph Store endpoint: ``mode`` "open" (no auth), "basic" (user u, password p) or
    "drip" (an answer of 1,000 bytes sent one byte every 0.2 s)."""

    mode = "open"
    seen: list[tuple[str, str | None, int]] = []  # method, Authorization, body length

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        auth = self.headers.get("Authorization")
        self.seen.append((self.command, auth, length))
        if self.mode == "drip":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            try:
                for _ in range(1000):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.2)
            except OSError:
                pass
            return
        wanted = "Basic " + base64.b64encode(b"u:p").decode()
        if self.mode == "basic" and auth != wanted:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="store"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(201 if self.command == "PUT" else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_PUT = _handle

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def store():
    Store.seen = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Store)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/data"
    httpd.shutdown()


def test_no_credentials_go_to_a_store_that_does_not_ask(store) -> None:
    Store.mode = "open"
    result = run("push", "--endpoint", store, "--user", "u", env={"GRAPHKIT_PASSWORD": "p"})
    assert result.returncode == 0, result.stderr
    assert "no credentials asked or sent" in result.stdout
    assert [auth for _, auth, _ in Store.seen] == [None, None]
    assert Store.seen[-1] == ("PUT", None, NT.stat().st_size)


def test_basic_credentials_from_netrc_only_when_asked(store, tmp_path) -> None:
    Store.mode = "basic"
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine 127.0.0.1 login u password p\n")
    netrc.chmod(0o600)
    result = run("push", "--endpoint", store, env={"HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert "Basic authentication" in result.stdout and "warning" not in result.stderr
    assert Store.seen[0][1] is None  # the first request carried none
    assert Store.seen[-1][0] == "PUT" and Store.seen[-1][1].startswith("Basic ")


def test_the_password_is_prompted_for_and_never_taken_from_the_command_line(store) -> None:
    Store.mode = "basic"
    refused = run("push", "--endpoint", store, "--user", "u", "--password", "p")
    assert refused.returncode == 2 and "shows in 'ps'" in refused.stderr
    assert Store.seen == []
    result = CliRunner().invoke(main, ["push", "--endpoint", store, "--user", "u",
                                       "--file", str(NT)], input="p\n", env={
        "GRAPHKIT_PASSWORD": None, "HOME": "/nonexistent"})
    assert result.exit_code == 0, result.output
    assert "password for u at" in result.stderr
    assert Store.seen[-1][0] == "PUT" and Store.seen[-1][1] is not None


def test_a_store_that_drips_is_stopped_at_the_total_timeout(store) -> None:
    Store.mode = "drip"
    started = time.monotonic()
    result = run("push", "--endpoint", store, "--timeout", "2")
    took = time.monotonic() - started
    assert result.returncode == 1
    assert "did not finish within 2 s (--timeout)" in result.stderr
    assert took < 6, took
    assert "Traceback" not in result.stderr
