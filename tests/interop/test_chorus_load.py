"""chorus-load against the session's server: the small scenario connects everyone and its report
agrees with the server's own counters.

The load tool binary is `.build/release/chorus-load`, else `.build/debug/chorus-load`; set
CHORUS_LOAD_BIN to use another one.
"""

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

import chorus_api

REPO_ROOT = Path(__file__).resolve().parents[2]
SMALL_SCENARIO = REPO_ROOT / "loadtest" / "scenarios" / "small.json"
RUN_TIMEOUT_SECONDS = 150

# The report's datagram counts and the server's /metrics deltas must agree within this many
# datagrams or this fraction of the count, whichever is larger. On loopback nothing is lost, so the
# slack covers only what the scrapes cannot order exactly: datagrams in flight while /metrics is
# read, and what the server sends when sessions end after the tool read its counters.
DATAGRAM_TOLERANCE_COUNT = 50
DATAGRAM_TOLERANCE_FRACTION = 0.01


def load_binary() -> Path:
    override = os.environ.get("CHORUS_LOAD_BIN")
    if override:
        return Path(override)
    for build in ("release", "debug"):
        candidate = REPO_ROOT / ".build" / build / "chorus-load"
        if candidate.is_file():
            return candidate
    pytest.fail(
        "chorus-load not found in .build/release or .build/debug; run `swift build -c release` or set CHORUS_LOAD_BIN"
    )


def metric_totals(base_url: str) -> dict[str, float]:
    """Sum each metric of /metrics over its labels, as the load tool does."""
    response = chorus_api.request("GET", f"{base_url}/metrics")
    assert response.status == 200, response.describe()
    totals: dict[str, float] = {}
    for line in response.text().splitlines():
        if not line or line.startswith("#"):
            continue
        series, _, value = line.rpartition(" ")
        name = series.split("{", 1)[0]
        totals[name] = totals.get(name, 0.0) + float(value)
    return totals


def tolerance(count: float) -> float:
    return max(DATAGRAM_TOLERANCE_COUNT, DATAGRAM_TOLERANCE_FRACTION * count)


@pytest.fixture(scope="module")
def small_run(chorus_server, output_dir: Path) -> dict:
    """Run the small scenario once and return the report, with the server's metric deltas around it."""
    binary = load_binary()
    report_path = output_dir / "chorus-load-small.json"
    report_path.unlink(missing_ok=True)
    before = metric_totals(chorus_server.base_url)
    command = [
        str(binary), "--url", chorus_server.base_url, "--scenario", str(SMALL_SCENARIO),
        "--report", str(report_path), "--no-progress", "--room-prefix", f"load-test-{os.getpid()}",
    ]
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, timeout=RUN_TIMEOUT_SECONDS, cwd=REPO_ROOT)
    output = (
        f"command: {' '.join(command)}\nexit status {result.returncode}\n"
        f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    )
    (output_dir / "chorus-load-small.log").write_text(output)
    after = metric_totals(chorus_server.base_url)
    assert result.returncode == 0, output
    assert report_path.is_file(), output
    report = json.loads(report_path.read_text())
    report["_metrics_delta"] = {name: after.get(name, 0.0) - before.get(name, 0.0) for name in after}
    report["_output"] = output
    report["_seconds"] = time.monotonic() - started
    return report


@pytest.mark.timeout(RUN_TIMEOUT_SECONDS + 30)
def test_small_scenario_connects_everyone(small_run: dict) -> None:
    total = small_run["total"]
    assert total["participants"] == 6, small_run["_output"]
    assert total["connected"] == 6, small_run["_output"]
    for participant in small_run["participants"]:
        assert participant["connected"], participant
        assert participant["errors"] == [], participant


@pytest.mark.timeout(RUN_TIMEOUT_SECONDS + 30)
def test_small_scenario_receives_every_track(small_run: dict) -> None:
    for participant in small_run["participants"]:
        # Three publishers per room, each sending audio and video, and each receiving the other two.
        assert participant["tracksExpected"] == 4, participant
        assert participant["tracksReceived"] == 4, participant
        for track in participant["tracks"]:
            assert track["framesComplete"] > 0, track
            assert track["timeToFirstFrameMs"] is not None, track


@pytest.mark.timeout(RUN_TIMEOUT_SECONDS + 30)
def test_small_scenario_loss_under_one_percent(small_run: dict) -> None:
    total = small_run["total"]
    assert total["rtpPacketsExpected"] > 1000, total
    assert total["lossPercent"] < 1.0, total


@pytest.mark.timeout(RUN_TIMEOUT_SECONDS + 30)
def test_small_scenario_measures_latency(small_run: dict) -> None:
    total = small_run["total"]
    for key in ("latencyMs", "videoFrameLatencyMs", "audioLatencyMs"):
        assert total[key]["samples"] > 100, (key, total[key])
        assert total[key]["p50"] is not None and total[key]["p50"] > 0, (key, total[key])
        assert total[key]["p99"] >= total[key]["p50"], (key, total[key])


@pytest.mark.timeout(RUN_TIMEOUT_SECONDS + 30)
def test_report_datagrams_match_server_metrics(small_run: dict) -> None:
    """What the clients counted on their sockets equals what the server counted on its socket."""
    delta = small_run["_metrics_delta"]
    sent = small_run["datagrams"]["clientSent"]
    received = small_run["datagrams"]["clientReceived"]
    server_in = delta["chorus_packets_in_total"]
    server_out = delta["chorus_packets_out_total"]
    assert abs(server_in - sent) <= tolerance(sent), (server_in, sent)
    assert abs(server_out - received) <= tolerance(server_out), (server_out, received)
    # The tool read the same counters itself, between the same kind of scrapes.
    server = small_run["server"]
    assert server is not None, small_run["_output"]
    assert abs(server["packetsIn"] - sent) <= tolerance(sent), (server, sent)
    assert abs(server["packetsOut"] - received) <= tolerance(received), (server, received)


@pytest.mark.timeout(RUN_TIMEOUT_SECONDS + 30)
def test_report_loss_matches_server_metrics(small_run: dict) -> None:
    """The report's RTP loss is consistent with the datagrams the server sent and the clients received."""
    delta = small_run["_metrics_delta"]
    total = small_run["total"]
    server_out = delta["chorus_packets_out_total"]
    received = small_run["datagrams"]["clientReceived"]
    # Datagrams the server sent that never reached a client socket, as a share of what it sent.
    transport_loss_percent = max(0.0, server_out - received) * 100 / server_out
    assert abs(total["lossPercent"] - transport_loss_percent) <= 1.0, (total["lossPercent"], transport_loss_percent)
    # Every RTP packet the clients received was among the datagrams the server sent.
    assert total["rtpPacketsReceived"] <= server_out, (total["rtpPacketsReceived"], server_out)
    assert total["rtpPacketsReceived"] >= 0.5 * server_out, (total["rtpPacketsReceived"], server_out)
