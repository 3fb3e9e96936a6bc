"""Checks of the test harness itself, with no Chorus server involved.

If these fail, failures of the server tests do not point at the server.
"""

import asyncio

import numpy as np
import pytest
from aiortc import RTCPeerConnection

import aiortc_call
import rtc_clients
from media_tracks import CounterVideoTrack, ToneAudioTrack, decode_counter, encode_counter


@pytest.mark.parametrize("value", [0, 1, 0x00FF, 0x5A5A, 0xFFFF, 70000])
def test_counter_round_trip(value: int) -> None:
    assert decode_counter(encode_counter(value, 320, 240)) == value % 65536


def test_counter_survives_noise_and_scaling() -> None:
    rng = np.random.default_rng(7)
    noisy = encode_counter(12345, 640, 480).astype(np.int16) + rng.normal(0, 25, (480, 640)).astype(np.int16)
    assert decode_counter(np.clip(noisy, 0, 255).astype(np.uint8)) == 12345
    assert decode_counter(encode_counter(12345, 640, 480)[::3, ::3]) == 12345


def test_counter_rejects_other_pictures() -> None:
    rng = np.random.default_rng(11)
    assert decode_counter(rng.integers(0, 256, (240, 320), dtype=np.uint8)) is None
    assert decode_counter(np.full((240, 320), 128, dtype=np.uint8)) is None
    assert decode_counter(encode_counter(99, 320, 240)[::-1]) is None


async def _direct_call() -> tuple[aiortc_call.CallReport, ToneAudioTrack, str]:
    video = CounterVideoTrack()
    tone = ToneAudioTrack()
    publisher = RTCPeerConnection(rtc_clients.rtc_configuration())
    subscriber = RTCPeerConnection(rtc_clients.rtc_configuration())
    received = rtc_clients.ReceivedMedia()
    subscriber.on("track", received.attach)
    rtc_clients.prefer_codecs(publisher.addTransceiver(video, direction="sendonly"), "video", {"video/VP8"})
    rtc_clients.prefer_codecs(publisher.addTransceiver(tone, direction="sendonly"), "audio", {"audio/opus"})
    try:
        await publisher.setLocalDescription(await publisher.createOffer())
        offer = publisher.localDescription
        await subscriber.setRemoteDescription(offer)
        await subscriber.setLocalDescription(await subscriber.createAnswer())
        await publisher.setRemoteDescription(subscriber.localDescription)
        await rtc_clients.wait_for_connection(publisher, 10, "direct publisher")
        report = await aiortc_call.measure(received, video, window_seconds=3.0)
        return report, tone, offer.sdp
    finally:
        await received.stop()
        await subscriber.close()
        await publisher.close()


def test_aiortc_direct_call_on_loopback() -> None:
    report, tone, offer_sdp = asyncio.run(_direct_call())
    print(report.summary())
    candidates = [line for line in offer_sdp.splitlines() if line.startswith("a=candidate:")]
    assert candidates, f"offer has no candidates:\n{offer_sdp}"
    assert all(" 127.0.0.1 " in line for line in candidates), f"non-loopback candidates: {candidates}"
    aiortc_call.check_report(report, tone, min_video_frames=60, min_audio_frames=100)
