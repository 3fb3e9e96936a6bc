"""A measured aiortc call: one publisher, one subscriber, and checks on what arrived."""

import asyncio
from dataclasses import dataclass

import numpy as np

import rtc_clients
from chorus_api import make_token
from media_tracks import CounterVideoTrack, ToneAudioTrack, dominant_frequency

FIRST_FRAME_TIMEOUT_SECONDS = 10.0


@dataclass
class CallReport:
    """Media that a subscriber received during a measurement window."""

    window_seconds: float
    video_frames_sent: int
    counters: list[int | None]  # Decoded counter per received picture, None when unreadable.
    video_sizes: set[tuple[int, int]]
    audio_frames: int
    tone_hz: float | None

    def summary(self) -> str:
        readable = [value for value in self.counters if value is not None]
        span = f"{readable[0]}..{readable[-1]}" if readable else "none"
        return (
            f"{len(self.counters)} pictures in {self.window_seconds:.0f} s, {len(readable)} readable "
            f"(counters {span}, publisher sent {self.video_frames_sent}), sizes {sorted(self.video_sizes)}, "
            f"{self.audio_frames} audio frames, tone {self.tone_hz} Hz"
        )


async def measure(
    received: rtc_clients.ReceivedMedia, video: CounterVideoTrack, window_seconds: float
) -> CallReport:
    """Wait for the first decoded picture, then record for `window_seconds`."""
    start = await rtc_clients.wait_for_first_video(received, FIRST_FRAME_TIMEOUT_SECONDS)
    await asyncio.sleep(window_seconds)
    end = start + window_seconds
    counters = [counter for arrival, counter in received.video if arrival <= end]
    audio_frames = sum(1 for arrival in received.audio_times if start <= arrival <= end)
    tone_hz = None
    if len(received.audio_tail) >= 10:
        tone_hz = dominant_frequency(np.concatenate(received.audio_tail), received.audio_sample_rate)
    return CallReport(
        window_seconds=window_seconds,
        video_frames_sent=video.frames_sent,
        counters=counters,
        video_sizes=set(received.video_sizes),
        audio_frames=audio_frames,
        tone_hz=tone_hz,
    )


def check_report(report: CallReport, tone: ToneAudioTrack, min_video_frames: int, min_audio_frames: int) -> None:
    """Assert that the subscriber got the publisher's pictures in order and its tone."""
    readable = [value for value in report.counters if value is not None]
    assert len(readable) >= min_video_frames, (
        f"expected at least {min_video_frames} readable pictures: {report.summary()}"
    )
    unreadable = len(report.counters) - len(readable)
    assert unreadable <= len(report.counters) // 10, (
        f"{unreadable} pictures did not carry a valid counter: {report.summary()}"
    )
    backwards = [(a, b) for a, b in zip(readable, readable[1:]) if b <= a]
    assert not backwards, f"counters not increasing at {backwards[:5]}: {report.summary()}"
    assert readable[-1] < report.video_frames_sent, f"counter never sent by the publisher: {report.summary()}"
    assert report.audio_frames >= min_audio_frames, (
        f"expected at least {min_audio_frames} audio frames: {report.summary()}"
    )
    assert report.tone_hz is not None, f"too little audio to measure its frequency: {report.summary()}"
    assert abs(report.tone_hz - tone.frequency) <= 20, (
        f"received audio is not the {tone.frequency:.0f} Hz tone: {report.summary()}"
    )


async def publish_and_subscribe(
    base_url: str,
    room: str,
    *,
    window_seconds: float = 5.0,
    publisher: str = "alice",
    subscriber: str = "bob",
) -> tuple[CallReport, ToneAudioTrack]:
    """Publish over WHIP, subscribe over WHEP, measure, then end both sessions.

    Both DELETE requests must return 200.
    """
    video = CounterVideoTrack()
    tone = ToneAudioTrack()
    publish_token = make_token(publisher, room, publish=True)
    subscribe_token = make_token(subscriber, room, subscribe=True)

    publishing = await rtc_clients.whip_publish(base_url, room, publish_token, video, tone)
    subscribing = None
    received = None
    try:
        await rtc_clients.wait_for_connection(publishing.pc, 10, "WHIP publisher")
        subscribing, received = await rtc_clients.whep_subscribe(base_url, room, publisher, subscribe_token)
        await rtc_clients.wait_for_connection(subscribing.pc, 10, "WHEP subscriber")
        report = await measure(received, video, window_seconds)
        for session, name in ((subscribing, "WHEP"), (publishing, "WHIP")):
            deleted = await session.delete()
            assert deleted.status == 200, f"DELETE of the {name} session: {deleted.describe()}"
        return report, tone
    finally:
        if received is not None:
            await received.stop()
        if subscribing is not None:
            await subscribing.pc.close()
        await publishing.pc.close()
