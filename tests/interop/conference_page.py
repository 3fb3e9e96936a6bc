"""The Chorus web client in headless Chromium, driven through its `window.chorus` test hook.

The page (Sources/Signaling/Resources/web) exposes `window.chorus.state` (plain JSON: status,
participants, remote and local tracks, chat, errors) and functions to leave, mute, chat and
read inbound RTP statistics, so tests need not scrape the DOM for everything.
"""

import json
import re
import subprocess
import time
from pathlib import Path
from urllib.parse import urlencode

from selenium.webdriver.common.by import By

import browser

# Small camera frames keep three Chromium instances within two cores.
CAMERA_RESOLUTION = "640x360"
POLL_SECONDS = 0.2

STATS_SCRIPT = r"""
const done = arguments[arguments.length - 1];
window.chorus.stats().then(done, (error) => done({error: String(error)}));
"""


class ConferencePage:
    """One browser showing the web client; `label` names it in failure messages."""

    def __init__(self, driver, label: str) -> None:
        self.driver = driver
        self.label = label

    def open(self, base_url: str, room: str, name: str, token: str | None = None) -> None:
        """Load `/?room=R&name=N[&token=T]`, which joins at once."""
        query = {"room": room, "name": name, "resolution": CAMERA_RESOLUTION}
        if token is not None:
            query["token"] = token
        self.driver.get(f"{base_url}/?{urlencode(query)}")

    def state(self) -> dict:
        return self.driver.execute_script("return window.chorus ? window.chorus.state : null") or {}

    def stats(self) -> list[dict]:
        """Return one entry per inbound RTP stream: trackSid, participant, kind and counters."""
        result = self.driver.execute_async_script(STATS_SCRIPT)
        if isinstance(result, dict):
            raise AssertionError(f"{self.label}: window.chorus.stats() failed: {result.get('error')}")
        return result

    def call(self, function: str, *arguments):
        """Call `window.chorus[function](...arguments)` and return its result."""
        return self.driver.execute_script(f"return window.chorus.{function}(...arguments)", *arguments)

    def tile_identities(self) -> list[str]:
        """Return the `data-identity` of every tile on the page, the local one included."""
        return [tile.get_attribute("data-identity") for tile in self.driver.find_elements(By.CSS_SELECTOR, ".tile")]

    def visible_text(self, element_id: str) -> str:
        """Return the text of the element with `element_id`, or "" when it is hidden."""
        elements = self.driver.find_elements(By.ID, element_id)
        return elements[0].text if elements and elements[0].is_displayed() else ""

    def wait_for(self, predicate, timeout: float, description: str) -> dict:
        """Poll the state until `predicate(state)` is true and return that state, or fail with `description`."""
        deadline = time.monotonic() + timeout
        state = self.state()
        while not predicate(state):
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{self.label}: {description} did not happen within {timeout:.0f} s; state:\n{describe_state(state)}\n"
                    f"console:\n{browser.console_messages(self.driver)}"
                )
            time.sleep(POLL_SECONDS)
            state = self.state()
        return state

    def wait_joined(self, others: int, timeout: float) -> dict:
        """Wait until the page is connected and lists `others` other participants."""
        return self.wait_for(
            lambda state: state.get("status") == "connected" and len(state.get("participants", [])) == others,
            timeout,
            f"joining and seeing {others} other participants",
        )


def describe_state(state: dict) -> str:
    """Return the state as JSON for failure messages, without the long chat history."""
    brief = dict(state)
    brief["chat"] = brief.get("chat", [])[-5:]
    return json.dumps(brief, sort_keys=True, indent=1)[:4000]


def counters_by_sender(stats: list[dict], kind: str, counter: str) -> dict[str, int]:
    """Sum `counter` over the inbound streams of `kind`, per sending participant identity."""
    totals: dict[str, int] = {}
    for entry in stats:
        if entry.get("kind") == kind and entry.get("participant"):
            totals[entry["participant"]] = totals.get(entry["participant"], 0) + int(entry.get(counter, 0))
    return totals


def counters_for_track(stats: list[dict], track_sid: str, counter: str) -> int:
    return sum(int(entry.get(counter, 0)) for entry in stats if entry.get("trackSid") == track_sid)


def process_tree(root_pid: int) -> set[int]:
    """Return `root_pid` and every process below it, read from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        # The command name in field 2 may contain spaces, so split after its closing parenthesis.
        fields = text[text.rfind(")") + 2 :].split()
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found = {root_pid}
    pending = [root_pid]
    while pending:
        for child in children.get(pending.pop(), []):
            if child not in found:
                found.add(child)
                pending.append(child)
    return found


def cut_tcp_connections(driver, server_port: int) -> list[int]:
    """Destroy every TCP connection that this browser has open to `server_port` on 127.0.0.1.

    `ss -K` aborts the socket in the kernel, as a network failure would, and sends the server a
    TCP reset. Returns the local ports of the connections it destroyed.
    """
    browser_pids = process_tree(driver.service.process.pid)
    listing = subprocess.run(
        ["ss", "-tnpH", "state", "established", "dst", "127.0.0.1", "dport", "=", str(server_port)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    ports = []
    for line in listing.splitlines():
        pids = {int(pid) for pid in re.findall(r"pid=(\d+)", line)}
        local = line.split()[2] if len(line.split()) > 2 else ""
        if pids & browser_pids and local.rsplit(":", 1)[-1].isdigit():
            ports.append(int(local.rsplit(":", 1)[-1]))
    for port in ports:
        subprocess.run(
            ["ss", "-K", "dst", "127.0.0.1", "dport", "=", str(server_port), "sport", "=", str(port)],
            check=True,
            capture_output=True,
        )
    return ports
