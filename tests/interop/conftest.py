"""Fixtures for interop tests: a Chorus server in `--dev` mode and a loopback-only guard.

Every test here must run in a private network namespace with only `lo` up, for example
`unshare -n sh -c 'ip link set lo up && .venv/bin/python -m pytest tests/interop'`, so
that no packet can leave the machine. The server binary defaults to
`.build/release/chorus` and can be overridden with CHORUS_BIN.
"""

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import rtc_clients

REPO_ROOT = Path(__file__).resolve().parents[2]
OUTPUT_DIR = REPO_ROOT / "test-output"
CHORUS_BIN = Path(os.environ.get("CHORUS_BIN", REPO_ROOT / ".build" / "release" / "chorus"))
HTTP_PORT = 7880
STARTUP_TIMEOUT_SECONDS = 20.0
STOP_TIMEOUT_SECONDS = 10.0
LOG_TAIL_LINES = 80


def pytest_configure(config: pytest.Config) -> None:
    rtc_clients.use_loopback_host_candidates()
    OUTPUT_DIR.mkdir(exist_ok=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the harness self-checks first, so a broken harness shows before any server failure."""
    items.sort(key=lambda item: item.module.__name__ != "test_harness_selfcheck")


def network_interfaces() -> list[tuple[str, str]]:
    """Return (name, flags) for every link in this network namespace, from `ip -o link`."""
    output = subprocess.run(["ip", "-o", "link"], check=True, capture_output=True, text=True).stdout
    links = []
    for line in output.splitlines():
        # Format: "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 ..."
        fields = line.split(":", 2)
        if len(fields) == 3:
            links.append((fields[1].strip().split("@")[0], fields[2].strip()))
    return links


@pytest.fixture(scope="session", autouse=True)
def loopback_only_network() -> None:
    """Fail every test unless this network namespace has only the loopback link, and it is up."""
    try:
        links = network_interfaces()
    except (OSError, subprocess.CalledProcessError) as error:
        pytest.fail(f"cannot list network links with `ip -o link` ({error}); install iproute2")
    names = [name for name, _ in links]
    if names != ["lo"]:
        pytest.fail(
            f"interop tests run only in a network namespace with just loopback, but found links {names}. "
            "Run them with `make test-interop`, or "
            "`unshare -n sh -c 'ip link set lo up && .venv/bin/python -m pytest tests/interop'`."
        )
    flags = links[0][1]
    if ",UP" not in flags and "<UP" not in flags:
        pytest.fail(f"the loopback link is down ({flags}); run `ip link set lo up` inside the namespace first")


class ChorusServer:
    """A running `chorus serve --dev` process and its log file."""

    def __init__(self, process: subprocess.Popen, log_path: Path) -> None:
        self.process = process
        self.log_path = log_path
        self.base_url = f"http://127.0.0.1:{HTTP_PORT}"
        self.binary = CHORUS_BIN

    def log_size(self) -> int:
        return self.log_path.stat().st_size

    def log_text(self, since: int = 0) -> str:
        with self.log_path.open("rb") as log:
            log.seek(since)
            return log.read().decode("utf-8", errors="replace")

    def log_tail(self, since: int = 0, lines: int = LOG_TAIL_LINES) -> str:
        return "\n".join(self.log_text(since).splitlines()[-lines:])

    def exit_description(self) -> str | None:
        """Return how the process ended, or None while it runs."""
        code = self.process.poll()
        if code is None:
            return None
        if code < 0:
            return f"killed by signal {signal.Signals(-code).name}"
        return f"exited with status {code}"


def healthz_status(base_url: str) -> int | None:
    try:
        with urllib.request.urlopen(f"{base_url}/healthz", timeout=1) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        print(f"chorus did not exit {STOP_TIMEOUT_SECONDS:.0f} s after SIGTERM; sending SIGKILL")
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def chorus_server(loopback_only_network: None) -> ChorusServer:
    """Start one Chorus dev server for the whole session and stop it at the end."""
    if not CHORUS_BIN.is_file():
        pytest.fail(f"server binary {CHORUS_BIN} not found; run `swift build -c release` or set CHORUS_BIN")
    log_path = OUTPUT_DIR / "chorus-server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(CHORUS_BIN), "serve", "--dev"],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=REPO_ROOT,
        )
    server = ChorusServer(process, log_path)
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    status = None
    while status != 200:
        ended = server.exit_description()
        if ended is not None:
            pytest.fail(f"chorus {ended} before /healthz returned 200; log {log_path}:\n{server.log_tail()}")
        if time.monotonic() > deadline:
            stop_process(process)
            pytest.fail(
                f"/healthz did not return 200 within {STARTUP_TIMEOUT_SECONDS:.0f} s (last status {status}); "
                f"log {log_path}:\n{server.log_tail()}"
            )
        time.sleep(0.1)
        status = healthz_status(server.base_url)
    try:
        yield server
    finally:
        stop_process(process)
        ended = server.exit_description()
        print(f"chorus {ended}; log at {log_path}")


@pytest.fixture
def chorus(chorus_server: ChorusServer, request: pytest.FixtureRequest) -> ChorusServer:
    """The session's server; the test fails if the server is not running when the test ends."""
    ended = chorus_server.exit_description()
    if ended is not None:
        pytest.fail(f"chorus {ended} during an earlier test; log tail:\n{chorus_server.log_tail()}")
    request.node.chorus_log_start = chorus_server.log_size()
    request.node.chorus_server = chorus_server
    yield chorus_server
    ended = chorus_server.exit_description()
    if ended is not None:
        since = request.node.chorus_log_start
        pytest.fail(f"chorus {ended} during this test; its log from the test start:\n{chorus_server.log_tail(since)}")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Attach the server log lines written during a failed test to its report."""
    report = yield
    server = getattr(item, "chorus_server", None)
    if report.failed and server is not None:
        tail = server.log_tail(since=getattr(item, "chorus_log_start", 0))
        report.sections.append(("chorus server log (lines written during this test)", tail or "(nothing)"))
    return report


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """The directory for logs and screenshots, `test-output/` in the repository."""
    return OUTPUT_DIR


@pytest.fixture
def room_name(request: pytest.FixtureRequest) -> str:
    """A room name unique to this test, made only of allowed characters."""
    return f"{request.node.name.split('[')[0]}-{os.getpid()}-{time.monotonic_ns() % 1_000_000}".replace("_", "-")
