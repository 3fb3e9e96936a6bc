"""aiortc publishes VP8 and Opus over WHIP, and another aiortc subscribes over WHEP."""

import asyncio

import aiortc_call
import chorus_api
import rtc_clients
from chorus_api import make_token
from media_tracks import CounterVideoTrack, ToneAudioTrack


def test_aiortc_whip_to_whep(chorus, room_name: str) -> None:
    # At 30 fps a 5 s window contains 150 pictures, so 60 leaves room for a slow start and loss.
    report, tone = asyncio.run(aiortc_call.publish_and_subscribe(chorus.base_url, room_name, window_seconds=5.0))
    print(report.summary())
    aiortc_call.check_report(report, tone, min_video_frames=60, min_audio_frames=100)


def sdp_lines(sdp: str, prefix: str) -> list[str]:
    return [line for line in sdp.splitlines() if line.startswith(prefix)]


async def _publish_and_read_answer(base_url: str, room: str) -> tuple[chorus_api.Response, chorus_api.Response]:
    token = make_token("alice", room, publish=True)
    session = await rtc_clients.whip_publish(base_url, room, token, CounterVideoTrack(), ToneAudioTrack())
    try:
        await rtc_clients.wait_for_connection(session.pc, 10, "WHIP publisher")
        return session.answer, await session.delete()
    finally:
        await session.pc.close()


def test_whip_answer_is_ice_lite_bundle(chorus, room_name: str) -> None:
    answer, deleted = asyncio.run(_publish_and_read_answer(chorus.base_url, room_name))
    sdp = answer.text()
    assert (answer.header("Content-Type") or "").startswith("application/sdp"), answer.describe()
    assert answer.header("Location"), f"WHIP answer has no Location header: {answer.describe()}"
    assert sdp_lines(sdp, "a=ice-lite"), f"answer does not declare ICE-lite:\n{sdp}"
    assert sdp_lines(sdp, "a=group:BUNDLE"), f"answer has no BUNDLE group:\n{sdp}"
    candidates = sdp_lines(sdp, "a=candidate:")
    assert any(" udp " in line.lower() and " 127.0.0.1 7882 " in line for line in candidates), (
        f"answer has no UDP host candidate at 127.0.0.1:7882: {candidates}"
    )
    media = sdp_lines(sdp, "m=")
    assert [line.split()[0] for line in media] == ["m=video", "m=audio"], f"m-lines {media} do not match the offer"
    assert len(sdp_lines(sdp, "a=rtcp-mux")) >= 2, f"answer does not accept rtcp-mux on each m-line:\n{sdp}"
    assert all(line.split(":")[1] in ("active", "passive") for line in sdp_lines(sdp, "a=setup:")), (
        f"answer must pick a DTLS role:\n{sdp}"
    )
    assert sdp_lines(sdp, "a=setup:"), f"answer has no a=setup line:\n{sdp}"
    assert any("sha-256" in line.lower() for line in sdp_lines(sdp, "a=fingerprint:")), f"no SHA-256 fingerprint:\n{sdp}"
    assert any("VP8/90000" in line for line in sdp_lines(sdp, "a=rtpmap:")), f"answer did not accept VP8:\n{sdp}"
    assert any("opus/48000" in line.lower() for line in sdp_lines(sdp, "a=rtpmap:")), f"answer did not accept Opus:\n{sdp}"
    assert deleted.status == 200, f"DELETE of the WHIP session: {deleted.describe()}"


async def _delete_twice(base_url: str, room: str):
    token = make_token("alice", room, publish=True)
    session = await rtc_clients.whip_publish(base_url, room, token, CounterVideoTrack(), ToneAudioTrack())
    try:
        await rtc_clients.wait_for_connection(session.pc, 10, "WHIP publisher")
        first = await session.delete()
        second = await session.delete()
    finally:
        await session.pc.close()
    subscriber_offer = await rtc_clients.offer_only("recvonly")
    subscribe_token = make_token("bob", room, subscribe=True)
    whep = await asyncio.to_thread(
        chorus_api.post_sdp, chorus_api.whep_url(base_url, room, "alice"), subscriber_offer, subscribe_token
    )
    return first, second, whep


def test_whip_delete_ends_session(chorus, room_name: str) -> None:
    first, second, whep = asyncio.run(_delete_twice(chorus.base_url, room_name))
    assert first.status == 200, f"first DELETE: {first.describe()}"
    assert second.status == 404, f"second DELETE of the same session: {second.describe()}"
    chorus_api.error_body(second)
    assert 400 <= whep.status < 500, f"WHEP for a publisher whose session ended: {whep.describe()}"
    chorus_api.error_body(whep)
