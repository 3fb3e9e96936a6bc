"""Chromium publishes three-layer VP8 simulcast through the web client; a second Chromium
subscribes over the conference WebSocket and switches layers with `subscription` messages.

The publisher's fake camera runs at 1280x720, and the web client sends rids q, h and f at a
quarter, half and full size, lowest first. The subscriber is a small page script speaking the
signaling protocol directly, so that it can send `{"type": "subscription", "layer": N}`.
"""

import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

import browser
from chorus_api import make_token
from conference_page import ConferencePage

CAMERA_RESOLUTION = "1280x720"
JOIN_TIMEOUT_SECONDS = 20.0
# Chromium starts at a low bitrate and adds the top layer as its estimate grows.
TOP_LAYER_TIMEOUT_SECONDS = 40.0
FIRST_LAYER_TIMEOUT_SECONDS = 20.0
# A switch waits for a keyframe of the new layer, which Chorus requests at once.
SWITCH_TIMEOUT_SECONDS = 2.0
POLL_SECONDS = 0.2
MAX_FREEZES = 1

# Joins the room over /v1/rtc, replies to every subscriber offer, and records the video track sid.
SUBSCRIBER_SCRIPT = r"""
const [url, done] = [arguments[0], arguments[arguments.length - 1]];
const state = { messages: [], videoTrackSid: null, error: null };
window.layerTest = state;
const pc = new RTCPeerConnection({ iceServers: [] });
state.pc = pc;
const socket = new WebSocket(url);
state.socket = socket;
socket.onmessage = async (event) => {
  const message = JSON.parse(event.data);
  state.messages.push(message.type);
  if (message.type !== 'subscriber_offer') return;
  try {
    await pc.setRemoteDescription({ type: 'offer', sdp: message.sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    socket.send(JSON.stringify({ type: 'subscriber_answer', sdp: pc.localDescription.sdp }));
    for (const transceiver of pc.getTransceivers()) {
      if (transceiver.receiver.track.kind !== 'video') continue;
      const slot = message.tracks.find((track) => track.mid === transceiver.mid);
      if (slot) state.videoTrackSid = slot.trackSid;
    }
  } catch (error) {
    state.error = String(error);
  }
};
socket.onopen = () => done({ ok: true });
socket.onerror = () => done({ ok: false, error: 'the signaling WebSocket failed to open' });
"""

INBOUND_VIDEO_SCRIPT = r"""
const done = arguments[arguments.length - 1];
window.layerTest.pc.getStats().then((report) => {
  let video = null;
  report.forEach((stats) => {
    if (stats.type === 'inbound-rtp' && stats.kind === 'video') {
      video = { frameWidth: stats.frameWidth || 0, frameHeight: stats.frameHeight || 0,
                framesDecoded: stats.framesDecoded || 0, freezeCount: stats.freezeCount || 0,
                packetsReceived: stats.packetsReceived || 0 };
    }
  });
  done(video);
}, (error) => done({ error: String(error) }));
"""


def send_layer(driver, track_sid: str, layer: int) -> None:
    message = {"type": "subscription", "trackSid": track_sid, "layer": layer}
    driver.execute_script("window.layerTest.socket.send(JSON.stringify(arguments[0]))", message)


def inbound_video(driver) -> dict:
    stats = driver.execute_async_script(INBOUND_VIDEO_SCRIPT) or {}
    assert "error" not in stats, f"getStats failed: {stats['error']}"
    return stats


def wait_for_width(driver, accept, timeout: float, description: str, history: list[dict]) -> dict:
    """Poll the inbound video statistics until `accept(frameWidth)`; every sample goes to `history`."""
    deadline = time.monotonic() + timeout
    while True:
        stats = inbound_video(driver)
        history.append(stats)
        if accept(stats.get("frameWidth", 0)):
            return stats
        if time.monotonic() > deadline:
            raise AssertionError(f"{description} did not happen within {timeout:.1f} s; last samples {history[-5:]}")
        time.sleep(POLL_SECONDS)


def top_layer_sent(publisher: ConferencePage) -> bool:
    """Whether the publisher encodes its full-size layer, from its outbound statistics."""
    streams = publisher.driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "window.chorus.outboundStats().then(done, (error) => done([]));"
    )
    return any(stream.get("frameWidth", 0) >= 1200 and stream.get("framesEncoded", 0) > 0 for stream in streams or [])


@pytest.fixture
def browsers(chorus, output_dir: Path):
    drivers = []
    try:
        for name in ("publisher", "subscriber"):
            drivers.append(browser.start_chromium(output_dir / f"chromedriver-simulcast-{name}.log"))
        yield drivers
    finally:
        for driver in drivers:
            driver.quit()


def test_simulcast_layers_switch_at_keyframes(chorus, room_name: str, browsers) -> None:
    publisher_driver, subscriber = browsers
    publisher = ConferencePage(publisher_driver, "publisher")
    query = {"room": room_name, "name": "sender", "resolution": CAMERA_RESOLUTION}
    publisher_driver.get(f"{chorus.base_url}/?{urlencode(query)}")
    publisher.wait_for(
        lambda state: state.get("status") == "connected" and state.get("publisherState") == "connected",
        JOIN_TIMEOUT_SECONDS,
        "publishing the camera",
    )

    subscriber.get(f"{chorus.base_url}/healthz")
    token = make_token("viewer", room_name, subscribe=True)
    url = chorus.base_url.replace("http://", "ws://") + f"/v1/rtc?access_token={token}"
    opened = subscriber.execute_async_script(SUBSCRIBER_SCRIPT, url)
    assert opened["ok"], opened.get("error")

    deadline = time.monotonic() + JOIN_TIMEOUT_SECONDS
    track_sid = None
    while track_sid is None and time.monotonic() < deadline:
        track_sid = subscriber.execute_script("return window.layerTest.videoTrackSid")
        time.sleep(POLL_SECONDS)
    state = subscriber.execute_script("return {messages: window.layerTest.messages, error: window.layerTest.error}")
    assert track_sid, f"the subscriber got no video track; signaling state {state}"
    send_layer(subscriber, track_sid, 0)

    history: list[dict] = []
    low = wait_for_width(subscriber, lambda width: 280 <= width <= 360, FIRST_LAYER_TIMEOUT_SECONDS,
                         "receiving the 320x180 layer", history)
    assert 160 <= low["frameHeight"] <= 200, f"layer 0 frame size {low}"

    # Switching up is only meaningful once the publisher encodes the top layer.
    deadline = time.monotonic() + TOP_LAYER_TIMEOUT_SECONDS
    while not top_layer_sent(publisher):
        assert time.monotonic() < deadline, (
            f"Chromium did not send its 1280x720 layer within {TOP_LAYER_TIMEOUT_SECONDS:.0f} s"
        )
        time.sleep(0.5)
    time.sleep(1)

    before_up = inbound_video(subscriber)
    send_layer(subscriber, track_sid, 2)
    high = wait_for_width(subscriber, lambda width: width >= 1200, SWITCH_TIMEOUT_SECONDS,
                          "switching up to the 1280x720 layer", history)
    assert high["frameHeight"] >= 680, f"layer 2 frame size {high}"
    time.sleep(1)
    after_up = inbound_video(subscriber)
    assert after_up["framesDecoded"] > before_up["framesDecoded"], f"decoding stalled: {before_up} -> {after_up}"

    send_layer(subscriber, track_sid, 0)
    wait_for_width(subscriber, lambda width: 280 <= width <= 360, SWITCH_TIMEOUT_SECONDS,
                   "switching down to the 320x180 layer", history)
    time.sleep(1)
    last = inbound_video(subscriber)
    assert last["framesDecoded"] > after_up["framesDecoded"], f"decoding stalled: {after_up} -> {last}"
    assert last["freezeCount"] <= MAX_FREEZES, f"video froze {last['freezeCount']} times; samples {history[-10:]}"
