"""A conference participant built on aiortc and the signaling WebSocket at /v1/rtc.

It publishes a counter video and a tone on its publisher connection (it offers) and answers
the server's offers on its subscriber connection, counting what it receives per remote track.
"""

import asyncio
import json

import websockets
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

import media_tracks
from chorus_api import make_token


class ConferenceParticipant:
    def __init__(self, base_url: str, room: str, identity: str, publish: bool = True) -> None:
        self.ws_url = base_url.replace("http://", "ws://") + "/v1/rtc"
        self.room = room
        self.identity = identity
        self.publish_media = publish
        self.token = make_token(identity, room, publish=True, subscribe=True)
        self.events: list[dict] = []
        self.joined: dict | None = None
        self.published_tracks: list[dict] = []
        # Frames received per remote track id (the msid track id is the Chorus track sid).
        self.frames: dict[str, int] = {}
        self.kinds: dict[str, str] = {}
        self.counters: dict[str, list[int]] = {}
        self.publisher = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.subscriber = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.subscriber.on("track", self._on_track)
        self.socket = None
        self.reader: asyncio.Task | None = None
        self.consumers: list[asyncio.Task] = []

    async def connect(self, resume: str | None = None) -> dict:
        url = f"{self.ws_url}?access_token={self.token}"
        if resume:
            url += f"&resume={resume}"
        self.socket = await websockets.connect(url, max_size=2**20)
        self.joined = json.loads(await asyncio.wait_for(self.socket.recv(), 5))
        assert self.joined["type"] == "joined", f"first message was not joined: {self.joined}"
        self.reader = asyncio.ensure_future(self._read(self.socket))
        return self.joined

    async def start_publishing(self) -> None:
        self.publisher.addTransceiver(media_tracks.CounterVideoTrack(), direction="sendonly")
        self.publisher.addTransceiver(media_tracks.ToneAudioTrack(), direction="sendonly")
        await self.publisher.setLocalDescription(await self.publisher.createOffer())
        await self.send({"type": "publish", "sdp": self.publisher.localDescription.sdp,
                         "tracks": [{"mid": "0", "kind": "video", "source": "camera"},
                                    {"mid": "1", "kind": "audio", "source": "microphone"}]})

    async def send(self, message: dict) -> None:
        await self.socket.send(json.dumps(message))

    async def wait_for(self, predicate, timeout: float = 5.0) -> dict:
        """Wait for an event matching `predicate` (already received ones count)."""
        deadline = asyncio.get_running_loop().time() + timeout
        seen = 0
        while True:
            for event in self.events[seen:]:
                if predicate(event):
                    return event
            seen = len(self.events)
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{self.identity}: no matching event in {timeout} s; got {self.summary()}")
            await asyncio.sleep(0.05)

    def summary(self) -> list[str]:
        return [event["type"] for event in self.events]

    def frames_of_kind(self, kind: str) -> dict[str, int]:
        return {track: count for track, count in self.frames.items() if self.kinds.get(track) == kind}

    async def drop_socket(self) -> None:
        """Cut the WebSocket without a leave message, as a network failure would."""
        self.socket.transport.abort()
        await asyncio.sleep(0.1)

    async def close(self) -> None:
        for task in self.consumers + ([self.reader] if self.reader else []):
            task.cancel()
        if self.socket is not None:
            await self.socket.close()
        await self.publisher.close()
        await self.subscriber.close()

    async def _read(self, socket) -> None:
        try:
            async for raw in socket:
                message = json.loads(raw)
                self.events.append(message)
                if message["type"] == "publish_answer":
                    self.published_tracks = message["tracks"]
                    await self.publisher.setRemoteDescription(RTCSessionDescription(message["sdp"], "answer"))
                elif message["type"] == "subscriber_offer":
                    await self.subscriber.setRemoteDescription(RTCSessionDescription(message["sdp"], "offer"))
                    await self.subscriber.setLocalDescription(await self.subscriber.createAnswer())
                    await self.send({"type": "subscriber_answer", "sdp": self.subscriber.localDescription.sdp})
        except websockets.ConnectionClosed:
            pass

    def _on_track(self, track) -> None:
        track_id = track.id
        self.kinds[track_id] = track.kind
        self.frames.setdefault(track_id, 0)

        async def consume() -> None:
            while True:
                try:
                    frame = await track.recv()
                except Exception:
                    return
                self.frames[track_id] += 1
                if track.kind == "video":
                    counter = media_tracks.decode_video_frame(frame)
                    if counter is not None:
                        self.counters.setdefault(track_id, []).append(counter)

        self.consumers.append(asyncio.ensure_future(consume()))
