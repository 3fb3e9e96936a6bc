"""Conference signaling with aiortc participants: media both ways, mute, leave and resume."""

import asyncio

from aiortc_conference import ConferenceParticipant


async def start(chorus, room: str, *identities: str) -> list[ConferenceParticipant]:
    participants = [ConferenceParticipant(chorus.base_url, room, identity) for identity in identities]
    for participant in participants:
        await participant.connect()
        await participant.start_publishing()
    return participants


def total(counts: dict[str, int]) -> int:
    return sum(counts.values())


def test_two_participants_receive_each_other(chorus, room_name: str) -> None:
    async def scenario() -> None:
        alice, bob = await start(chorus, room_name, "alice", "bob")
        try:
            await asyncio.sleep(6)
            for receiver in (alice, bob):
                video = receiver.frames_of_kind("video")
                audio = receiver.frames_of_kind("audio")
                assert len(video) == 1 and total(video) >= 60, f"{receiver.identity} video frames {video}"
                assert len(audio) == 1 and total(audio) >= 100, f"{receiver.identity} audio frames {audio}"
                counters = next(iter(receiver.counters.values()), [])
                assert len(counters) >= 30, f"{receiver.identity} decoded too few counters: {counters[:10]}"
                assert counters == sorted(counters), f"{receiver.identity} counters go backwards: {counters}"
            joined_event = await alice.wait_for(lambda e: e["type"] == "participant_joined")
            assert joined_event["participant"]["identity"] == "bob"
        finally:
            await alice.close()
            await bob.close()

    asyncio.run(scenario())


def test_mute_stops_forwarding_and_is_announced(chorus, room_name: str) -> None:
    async def scenario() -> None:
        alice, bob = await start(chorus, room_name, "alice", "bob")
        try:
            await asyncio.sleep(3)
            video_sid = next(t["sid"] for t in alice.published_tracks if t["kind"] == "video")
            await alice.send({"type": "mute", "trackSid": video_sid, "muted": True})
            event = await bob.wait_for(lambda e: e["type"] == "track_muted")
            assert event == {"type": "track_muted", "identity": "alice", "trackSid": video_sid, "muted": True}
            await asyncio.sleep(0.5)
            before = total(bob.frames_of_kind("video"))
            await asyncio.sleep(2)
            after = total(bob.frames_of_kind("video"))
            assert after - before <= 2, f"muted video still arrives: {before} -> {after} frames"
            audio_before = total(bob.frames_of_kind("audio"))
            await asyncio.sleep(1)
            assert total(bob.frames_of_kind("audio")) > audio_before + 20, "audio stopped along with video"

            await alice.send({"type": "mute", "trackSid": video_sid, "muted": False})
            await bob.wait_for(lambda e: e["type"] == "track_muted" and e["muted"] is False)
            await asyncio.sleep(2)
            assert total(bob.frames_of_kind("video")) > after + 10, "video did not resume after unmute"
        finally:
            await alice.close()
            await bob.close()

    asyncio.run(scenario())


def test_leave_is_announced_and_tracks_removed(chorus, room_name: str) -> None:
    async def scenario() -> None:
        alice, bob = await start(chorus, room_name, "alice", "bob")
        try:
            await asyncio.sleep(2)
            await bob.send({"type": "leave"})
            left = await alice.wait_for(lambda e: e["type"] == "participant_left", timeout=2)
            assert left["identity"] == "bob"
            await alice.wait_for(lambda e: e["type"] == "track_unpublished", timeout=2)
        finally:
            await alice.close()
            await bob.close()

    asyncio.run(scenario())


def test_resume_after_dropped_websocket(chorus, room_name: str) -> None:
    async def scenario() -> None:
        alice, bob = await start(chorus, room_name, "alice", "bob")
        try:
            await asyncio.sleep(2)
            sid = alice.joined["participant"]["sid"]
            token = alice.joined["resumeToken"]
            await alice.drop_socket()
            before = total(bob.frames_of_kind("video"))
            await asyncio.sleep(1)
            assert total(bob.frames_of_kind("video")) > before, "media stopped while the WebSocket was down"
            rejoined = await alice.connect(resume=token)
            assert rejoined["participant"]["sid"] == sid, "resume created a new participant"
            assert [p["identity"] for p in rejoined["participants"]] == ["bob"]
            pong_id = "after-resume"
            await alice.send({"type": "ping", "id": pong_id})
            await alice.wait_for(lambda e: e["type"] == "pong" and e.get("id") == pong_id)
            assert not any(e["type"] == "participant_left" for e in bob.events), "bob saw alice leave during resume"
            received = total(alice.frames_of_kind("video"))
            await asyncio.sleep(2)
            assert total(alice.frames_of_kind("video")) > received + 20, "media to alice did not flow after resume"
        finally:
            await alice.close()
            await bob.close()

    asyncio.run(scenario())
