"""Headless Chromium publishes its fake camera and microphone over WHIP; another Chromium plays it over WHEP."""

import time
from pathlib import Path
from urllib.parse import urljoin

import pytest

import browser
import chorus_api
from chorus_api import make_token

STATS_TIMEOUT_SECONDS = 20.0
MIN_FRAMES_DECODED = 30
SUBSCRIBE_RETRY_SECONDS = 3.0


@pytest.fixture
def chromium_pair(output_dir: Path):
    """Start a publisher and a subscriber Chromium; quit both after the test."""
    publisher = browser.start_chromium(output_dir / "chromedriver-publisher.log")
    try:
        subscriber = browser.start_chromium(output_dir / "chromedriver-subscriber.log")
    except BaseException:
        publisher.quit()
        raise
    try:
        yield publisher, subscriber
    finally:
        subscriber.quit()
        publisher.quit()


def wait_for_connected(driver, name: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    state = None
    while time.monotonic() < deadline:
        state = driver.execute_script(f"return window.{name} && window.{name}.connectionState")
        if state == "connected":
            return
        if state in ("failed", "closed"):
            break
        time.sleep(0.1)
    raise AssertionError(
        f"Chromium {name} connectionState is {state!r} after {timeout:.0f} s; console:\n"
        f"{browser.console_messages(driver)}"
    )


def subscribe(driver, url: str, token: str) -> dict:
    """Run the WHEP subscriber, retrying 404 while the server registers the publisher's tracks."""
    deadline = time.monotonic() + SUBSCRIBE_RETRY_SECONDS
    while True:
        result = driver.execute_async_script(browser.SUBSCRIBE_SCRIPT, url, token)
        if result["ok"] or " returned 404" not in result["error"] or time.monotonic() > deadline:
            return result
        driver.execute_script("window.subscriber && window.subscriber.close()")
        time.sleep(0.2)


def test_chromium_whip_to_whep(chorus, room_name: str, chromium_pair, output_dir: Path) -> None:
    publisher, subscriber = chromium_pair
    publish_token = make_token("alice", room_name, publish=True)
    subscribe_token = make_token("bob", room_name, subscribe=True)
    whip = chorus_api.whip_url(chorus.base_url, room_name)
    whep = chorus_api.whep_url(chorus.base_url, room_name, "alice")
    screenshot = output_dir / "chromium-subscriber.png"

    # A loopback origin is a secure context, so getUserMedia works without TLS.
    publisher.get(f"{chorus.base_url}/healthz")
    subscriber.get(f"{chorus.base_url}/healthz")

    published = publisher.execute_async_script(browser.PUBLISH_SCRIPT, whip, publish_token)
    assert published["ok"], f"WHIP publish failed: {published['error']}\n{browser.console_messages(publisher)}"
    wait_for_connected(publisher, "publisher", 10)

    subscribed = subscribe(subscriber, whep, subscribe_token)
    assert subscribed["ok"], f"WHEP subscribe failed: {subscribed['error']}\n{browser.console_messages(subscriber)}"
    try:
        wait_for_connected(subscriber, "subscriber", 10)

        deadline = time.monotonic() + STATS_TIMEOUT_SECONDS
        history = []
        while time.monotonic() < deadline:
            stats = subscriber.execute_async_script(browser.STATS_SCRIPT, "subscriber")
            history.append(stats)
            frames = stats.get("video", {}).get("framesDecoded", 0)
            audio_packets = [entry.get("audio", {}).get("packetsReceived", 0) for entry in history]
            if frames > MIN_FRAMES_DECODED and len(audio_packets) >= 2 and audio_packets[-1] > audio_packets[-2] > 0:
                break
            time.sleep(0.5)
        last = history[-1] if history else {}
        assert last.get("video", {}).get("framesDecoded", 0) > MIN_FRAMES_DECODED, (
            f"subscriber decoded too few video frames in {STATS_TIMEOUT_SECONDS:.0f} s; "
            f"last stats {browser.describe(last)}; answer:\n{subscribed['answer']}"
        )
        audio_packets = [entry.get("audio", {}).get("packetsReceived", 0) for entry in history]
        assert audio_packets[-1] > 0, f"subscriber received no audio packets; last stats {browser.describe(last)}"
        assert len(audio_packets) >= 2 and audio_packets[-1] > audio_packets[-2], (
            f"subscriber audio packetsReceived is not growing: {audio_packets}"
        )

        deadline = time.monotonic() + 5
        video_state = None
        while time.monotonic() < deadline:
            video_state = subscriber.execute_script(browser.VIDEO_STATE_SCRIPT)
            if video_state and video_state["width"] > 0 and video_state["time"] > 0.5:
                break
            time.sleep(0.2)
        assert video_state and video_state["width"] > 0, f"<video> element shows nothing: {video_state}"
    finally:
        subscriber.save_screenshot(str(screenshot))

    for token, location, name in (
        (subscribe_token, urljoin(whep, subscribed["location"] or ""), "WHEP"),
        (publish_token, urljoin(whip, published["location"] or ""), "WHIP"),
    ):
        assert location not in (whip, whep), f"{name} answer had no Location header"
        deleted = chorus_api.request("DELETE", location, headers=chorus_api.bearer(token))
        assert deleted.status == 200, f"DELETE of the {name} session: {deleted.describe()}"
