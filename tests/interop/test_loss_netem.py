"""An aiortc publisher behind a lossy link: Chorus repairs the loss with NACK and RTX.

The publisher runs in its own network namespace, joined to the test's namespace by a veth pair
(10.99.0.2 on its side, 10.99.0.1 on the server's). Its side drops 5 % of outgoing UDP packets,
with `tc netem` where the kernel has it, else with an nftables `numgen random` rule. A second
Chorus server listens on 10.99.0.1 only. It takes a configuration file instead of `--dev`,
because `--dev` binds 127.0.0.1. The subscriber, in the test's namespace, reaches it directly.

The addresses exist only inside the test's own namespace, so nothing leaves the machine. Run as
`python test_loss_netem.py publish URL ROOM SECONDS`, this file is the publisher process.
"""

import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

SERVER_ADDRESS = "10.99.0.1"
PUBLISHER_ADDRESS = "10.99.0.2"
HTTP_PORT = 7890
RTC_PORT = 7892
LOSS_PERCENT = 5
PUBLISH_SECONDS = 20
WINDOW_SECONDS = 8.0
MIN_DECODED_RATIO = 0.8
STARTUP_TIMEOUT_SECONDS = 20.0

# A node started without --dev needs a secret of at least 16 bytes.
LOSS_TEST_SECRET = "loss-test-secret-0123456789abcdef"


def run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True)


def check(*command: str) -> None:
    result = run(*command)
    if result.returncode != 0:
        raise AssertionError(f"`{' '.join(command)}` failed: {result.stderr.strip()}")


def add_loss(namespace: str, device: str) -> str:
    """Drop LOSS_PERCENT % of the UDP packets `device` sends; returns the mechanism used."""
    netem = run("ip", "netns", "exec", namespace, "tc", "qdisc", "add", "dev", device, "root", "netem", "loss",
                f"{LOSS_PERCENT}%")
    if netem.returncode == 0:
        return "tc netem"
    # Kernels without sch_netem (such as small VM kernels) still have nftables' random numbers.
    if shutil.which("nft") is None:
        pytest.fail(f"tc netem is unavailable ({netem.stderr.strip()}) and nft is not installed (Debian: nftables)")
    rules = (
        "table inet chorus_loss {\n"
        "  chain output {\n"
        "    type filter hook output priority 0;\n"
        f"    oifname \"{device}\" meta l4proto udp numgen random mod 100 < {LOSS_PERCENT} drop\n"
        "  }\n"
        "}\n"
    )
    result = subprocess.run(["ip", "netns", "exec", namespace, "nft", "-f", "-"], input=rules, capture_output=True,
                            text=True)
    if result.returncode != 0:
        pytest.fail(f"tc netem is unavailable ({netem.stderr.strip()}) and nft failed: {result.stderr.strip()}")
    return "nftables numgen"


@pytest.fixture
def lossy_link():
    """The publisher's namespace and the veth pair; yields the namespace name and the loss mechanism."""
    suffix = os.getpid() % 100000
    namespace = f"chorus-loss-{suffix}"
    server_side, publisher_side = f"chls{suffix}", f"chlp{suffix}"
    check("ip", "netns", "add", namespace)
    try:
        check("ip", "link", "add", server_side, "type", "veth", "peer", "name", publisher_side, "netns", namespace)
        check("ip", "addr", "add", f"{SERVER_ADDRESS}/24", "dev", server_side)
        check("ip", "link", "set", server_side, "up")
        for command in (
            ("ip", "addr", "add", f"{PUBLISHER_ADDRESS}/24", "dev", publisher_side),
            ("ip", "link", "set", publisher_side, "up"),
            ("ip", "link", "set", "lo", "up"),
        ):
            check("ip", "netns", "exec", namespace, *command)
        yield namespace, add_loss(namespace, publisher_side)
    finally:
        run("ip", "netns", "del", namespace)
        run("ip", "link", "del", server_side)


@pytest.fixture
def veth_server(lossy_link, tmp_path: Path, output_dir: Path):
    """A Chorus server bound to SERVER_ADDRESS with the development API key."""
    from conftest import CHORUS_BIN, healthz_status, stop_process

    config = tmp_path / "chorus.json"
    config.write_text(json.dumps({"apiKeys": {"devkey": LOSS_TEST_SECRET}, "autoCreateRooms": True}))
    log_path = output_dir / "chorus-loss-server.log"
    base_url = f"http://{SERVER_ADDRESS}:{HTTP_PORT}"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(CHORUS_BIN), "serve", "--config", str(config), "--bind", SERVER_ADDRESS, "--http-port",
             str(HTTP_PORT), "--rtc-port", str(RTC_PORT)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while healthz_status(base_url) != 200:
            assert process.poll() is None, f"chorus exited: {log_path.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"/healthz on {base_url} did not return 200: {log_path.read_text()[-3000:]}"
            time.sleep(0.1)
        yield base_url, lossy_link
    finally:
        stop_process(process)


def metric_total(text: str, name: str) -> float:
    """Sum the samples of metric `name` in a Prometheus text exposition."""
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_loss_is_repaired_with_nack_and_rtx(veth_server, room_name: str, monkeypatch) -> None:
    import aioice.ice

    import rtc_clients
    from chorus_api import make_token

    base_url, (namespace, mechanism) = veth_server
    publisher = subprocess.Popen(
        ["ip", "netns", "exec", namespace, sys.executable, str(Path(__file__).resolve()), "publish", base_url,
         room_name, str(PUBLISH_SECONDS)],
        cwd=Path(__file__).parent, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    # The subscriber's host candidate is the server's veth address, which is local to this namespace.
    monkeypatch.setattr(aioice.ice, "get_host_addresses", lambda use_ipv4, use_ipv6: [SERVER_ADDRESS])

    async def subscribe() -> tuple[list[int | None], float]:
        token = make_token("viewer", room_name, subscribe=True, secret=LOSS_TEST_SECRET)
        session, received = await rtc_clients.whep_subscribe(base_url, room_name, "sender", token,
                                                             retry_not_found_seconds=15)
        try:
            await rtc_clients.wait_for_connection(session.pc, 10, "WHEP subscriber")
            start = await rtc_clients.wait_for_first_video(received, 15)
            await asyncio.sleep(WINDOW_SECONDS)
            counters = [counter for arrival, counter in received.video if start <= arrival <= start + WINDOW_SECONDS]
            return counters, start
        finally:
            await received.stop()
            await session.pc.close()

    try:
        counters, _ = asyncio.run(subscribe())
    finally:
        try:
            output, _ = publisher.communicate(timeout=PUBLISH_SECONDS + 20)
        except subprocess.TimeoutExpired:
            publisher.kill()
            output, _ = publisher.communicate()
    assert publisher.returncode == 0, f"the publisher failed:\n{output[-3000:]}"

    readable = [counter for counter in counters if counter is not None]
    assert len(readable) >= 2, f"the subscriber decoded {len(counters)} pictures, {len(readable)} readable"
    sent = readable[-1] - readable[0] + 1
    ratio = len(readable) / sent
    with urllib.request.urlopen(f"{base_url}/metrics", timeout=5) as response:
        metrics = response.read().decode()
    nacks = metric_total(metrics, "chorus_nacks_sent_total")
    repairs = metric_total(metrics, "chorus_rtx_packets_received_total")
    summary = (f"{len(readable)} of {sent} pictures decoded in {WINDOW_SECONDS:.0f} s with {LOSS_PERCENT} % loss "
               f"({mechanism}); NACKs sent {nacks:.0f}, RTX packets received {repairs:.0f}")
    print(summary)
    assert ratio >= MIN_DECODED_RATIO, summary
    assert nacks > 0, summary
    assert repairs > 0, summary


async def publish(base_url: str, room: str, seconds: float) -> None:
    """Publish the counter video and a tone over WHIP from this namespace's veth address."""
    import aioice.ice

    import rtc_clients
    from chorus_api import make_token
    from media_tracks import CounterVideoTrack, ToneAudioTrack

    aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: [PUBLISHER_ADDRESS]
    video = CounterVideoTrack()
    session = await rtc_clients.whip_publish(
        base_url, room, make_token("sender", room, publish=True, secret=LOSS_TEST_SECRET), video, ToneAudioTrack())
    try:
        await rtc_clients.wait_for_connection(session.pc, 10, "WHIP publisher")
        print("publisher connected", flush=True)
        await asyncio.sleep(seconds)
        print(f"publisher sent {video.frames_sent} frames", flush=True)
        await session.delete()
    finally:
        await session.pc.close()


if __name__ == "__main__":
    if len(sys.argv) != 5 or sys.argv[1] != "publish":
        sys.exit("usage: test_loss_netem.py publish BASE_URL ROOM SECONDS")
    asyncio.run(publish(sys.argv[2], sys.argv[3], float(sys.argv[4])))
