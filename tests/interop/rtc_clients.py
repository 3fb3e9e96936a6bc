"""aiortc WHIP publisher and WHEP subscriber clients, confined to loopback."""

import asyncio
import time
from dataclasses import dataclass, field

import aioice.ice
import numpy as np
from aiortc import RTCConfiguration, RTCPeerConnection, RTCRtpSender, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

import chorus_api
from media_tracks import AUDIO_SAMPLE_RATE, CounterVideoTrack, ToneAudioTrack, audio_frame_mono, decode_video_frame


def _loopback_host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
    return ["127.0.0.1"] if use_ipv4 else []


def use_loopback_host_candidates() -> None:
    """Make aioice gather its host candidate on 127.0.0.1 only.

    aioice 0.13 (`aioice.ice.get_host_addresses`) lists every interface address except
    127.0.0.1, so in a namespace with only loopback it would gather no candidate at
    all, and on a normal host it would offer non-loopback addresses.
    """
    aioice.ice.get_host_addresses = _loopback_host_addresses


def rtc_configuration() -> RTCConfiguration:
    """Return a configuration with no STUN or TURN server, so nothing leaves loopback."""
    return RTCConfiguration(iceServers=[])


def prefer_codecs(transceiver, kind: str, mime_types: set[str]) -> None:
    codecs = [codec for codec in RTCRtpSender.getCapabilities(kind).codecs if codec.mimeType in mime_types]
    transceiver.setCodecPreferences(codecs)


async def wait_for_connection(pc: RTCPeerConnection, timeout: float, what: str) -> None:
    """Wait until `pc` is connected (ICE and DTLS done), or raise AssertionError."""
    deadline = time.monotonic() + timeout
    while pc.connectionState != "connected":
        if pc.connectionState in ("failed", "closed") or time.monotonic() > deadline:
            raise AssertionError(
                f"{what}: peer connection not connected after {timeout:.0f} s "
                f"(connectionState={pc.connectionState}, iceConnectionState={pc.iceConnectionState}, "
                f"iceGatheringState={pc.iceGatheringState})"
            )
        await asyncio.sleep(0.05)


@dataclass
class Session:
    """A WHIP or WHEP session: the local peer connection and the server's resource."""

    pc: RTCPeerConnection
    resource_url: str
    answer: chorus_api.Response
    token: str

    async def delete(self) -> chorus_api.Response:
        return await asyncio.to_thread(
            chorus_api.request, "DELETE", self.resource_url, headers=chorus_api.bearer(self.token)
        )


async def _offer(pc: RTCPeerConnection) -> str:
    # aiortc gathers all candidates inside setLocalDescription, so the offer is complete.
    await pc.setLocalDescription(await pc.createOffer())
    return pc.localDescription.sdp


async def _signal(pc: RTCPeerConnection, url: str, token: str, retry_not_found_seconds: float) -> Session:
    try:
        offer = await _offer(pc)
        deadline = time.monotonic() + retry_not_found_seconds
        while True:
            response = await asyncio.to_thread(chorus_api.post_sdp, url, offer, token)
            if response.status != 404 or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)
        if response.status != 201:
            raise AssertionError(f"POST {url} expected 201, got {response.describe()}")
        await pc.setRemoteDescription(RTCSessionDescription(sdp=response.text(), type="answer"))
        return Session(pc=pc, resource_url=chorus_api.resource_url(url, response), answer=response, token=token)
    except BaseException:
        await pc.close()
        raise


async def whip_publish(
    base_url: str, room: str, token: str, video: MediaStreamTrack | None, audio: MediaStreamTrack | None
) -> Session:
    """Publish VP8 video and Opus audio over WHIP (RFC 9725)."""
    pc = RTCPeerConnection(rtc_configuration())
    if video is not None:
        prefer_codecs(pc.addTransceiver(video, direction="sendonly"), "video", {"video/VP8", "video/rtx"})
    if audio is not None:
        prefer_codecs(pc.addTransceiver(audio, direction="sendonly"), "audio", {"audio/opus"})
    return await _signal(pc, chorus_api.whip_url(base_url, room), token, retry_not_found_seconds=0)


@dataclass
class ReceivedMedia:
    """What a subscriber decoded, with arrival times from time.monotonic()."""

    video: list[tuple[float, int | None]] = field(default_factory=list)
    video_sizes: set[tuple[int, int]] = field(default_factory=set)
    audio_times: list[float] = field(default_factory=list)
    audio_tail: list[np.ndarray] = field(default_factory=list)
    audio_sample_rate: int = AUDIO_SAMPLE_RATE
    tracks: list[str] = field(default_factory=list)
    _tasks: list[asyncio.Task] = field(default_factory=list)

    def attach(self, track: MediaStreamTrack) -> None:
        self.tracks.append(track.kind)
        consume = self._consume_video if track.kind == "video" else self._consume_audio
        self._tasks.append(asyncio.ensure_future(consume(track)))

    async def _consume_video(self, track: MediaStreamTrack) -> None:
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            self.video.append((time.monotonic(), decode_video_frame(frame)))
            self.video_sizes.add((frame.width, frame.height))

    async def _consume_audio(self, track: MediaStreamTrack) -> None:
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            self.audio_times.append(time.monotonic())
            self.audio_sample_rate = frame.sample_rate
            self.audio_tail.append(audio_frame_mono(frame))
            del self.audio_tail[:-50]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def first_video_time(self) -> float | None:
        return self.video[0][0] if self.video else None


async def whep_subscribe(
    base_url: str, room: str, participant: str, token: str, retry_not_found_seconds: float = 3.0
) -> tuple[Session, ReceivedMedia]:
    """Subscribe to `participant` over WHEP with one recvonly video and one recvonly audio transceiver.

    A 404 is retried for `retry_not_found_seconds`, because the server may register the
    publisher's tracks only after its DTLS handshake finishes.
    """
    pc = RTCPeerConnection(rtc_configuration())
    received = ReceivedMedia()
    pc.on("track", received.attach)
    pc.addTransceiver("video", direction="recvonly")
    pc.addTransceiver("audio", direction="recvonly")
    url = chorus_api.whep_url(base_url, room, participant)
    session = await _signal(pc, url, token, retry_not_found_seconds)
    return session, received


async def offer_only(direction: str) -> str:
    """Return a complete aiortc offer with one video and one audio m-line, then close the peer.

    With direction "sendonly" the offer carries VP8 and Opus tracks, as a WHIP offer does.
    It suits requests whose media is never meant to flow.
    """
    pc = RTCPeerConnection(rtc_configuration())
    try:
        if direction == "sendonly":
            pc.addTransceiver(CounterVideoTrack(), direction="sendonly")
            pc.addTransceiver(ToneAudioTrack(), direction="sendonly")
        else:
            pc.addTransceiver("video", direction=direction)
            pc.addTransceiver("audio", direction=direction)
        return await _offer(pc)
    finally:
        await pc.close()


async def wait_for_first_video(received: ReceivedMedia, timeout: float) -> float:
    deadline = time.monotonic() + timeout
    while not received.video:
        if time.monotonic() > deadline:
            raise AssertionError(
                f"subscriber decoded no video frame within {timeout:.0f} s "
                f"(tracks {received.tracks}, audio frames {len(received.audio_times)})"
            )
        await asyncio.sleep(0.05)
    return received.video[0][0]
