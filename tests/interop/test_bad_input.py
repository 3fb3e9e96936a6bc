"""Invalid WHIP and WHEP requests get the right status and a JSON error, and the server keeps serving.

Every test here shares one server, and the last one makes a real call on it.
"""

import asyncio

import pytest

import aiortc_call
import chorus_api
import rtc_clients
from chorus_api import make_token

OVERSIZE_BODY_BYTES = 2 * 1024 * 1024


@pytest.fixture(scope="module")
def publisher_offer() -> str:
    return asyncio.run(rtc_clients.offer_only("sendonly"))


def without_lines(sdp: str, prefix: str) -> str:
    return "".join(line for line in sdp.splitlines(keepends=True) if not line.startswith(prefix))


def test_healthz_returns_200(chorus) -> None:
    response = chorus_api.request("GET", f"{chorus.base_url}/healthz")
    assert response.status == 200, response.describe()


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("this is not SDP", id="text"),
        pytest.param("", id="empty"),
        pytest.param("v=0\r\n", id="version-only"),
        pytest.param("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n", id="no-media"),
        pytest.param("\x00\xff\x16\xfe\xfd" * 40, id="binary"),
        pytest.param("v=0\r\nm=video\r\n", id="short-m-line"),
        pytest.param("v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 99999999999999999999\r\n", id="huge-payload-type"),
    ],
)
def test_whip_malformed_sdp_is_400(chorus, room_name: str, body: str) -> None:
    token = make_token("alice", room_name, publish=True)
    response = chorus_api.post_sdp(chorus_api.whip_url(chorus.base_url, room_name), body, token)
    assert response.status == 400, response.describe()
    chorus_api.error_body(response)


@pytest.mark.parametrize("missing", ["a=ice-ufrag", "a=fingerprint", "m="])
def test_whip_offer_missing_essentials_is_rejected(chorus, room_name: str, publisher_offer: str, missing: str) -> None:
    token = make_token("alice", room_name, publish=True)
    body = without_lines(publisher_offer, missing)
    response = chorus_api.post_sdp(chorus_api.whip_url(chorus.base_url, room_name), body, token)
    assert 400 <= response.status < 500, response.describe()
    chorus_api.error_body(response)


def test_whip_wrong_content_type_is_rejected(chorus, room_name: str, publisher_offer: str) -> None:
    token = make_token("alice", room_name, publish=True)
    headers = {"Content-Type": "text/plain", **chorus_api.bearer(token)}
    response = chorus_api.request(
        "POST", chorus_api.whip_url(chorus.base_url, room_name), body=publisher_offer, headers=headers
    )
    assert 400 <= response.status < 500, response.describe()
    chorus_api.error_body(response)


def test_whip_without_token_is_401(chorus, room_name: str, publisher_offer: str) -> None:
    response = chorus_api.post_sdp(chorus_api.whip_url(chorus.base_url, room_name), publisher_offer, None)
    assert response.status == 401, response.describe()
    chorus_api.error_body(response)


BAD_TOKENS = {
    "garbage": lambda room: "not-a-jwt",
    "empty": lambda room: "",
    "bad-signature": lambda room: make_token("alice", room, publish=True, secret="not-the-dev-secret"),
    "expired": lambda room: make_token("alice", room, publish=True, ttl_seconds=60, issued_offset_seconds=-3600),
    "not-yet-valid": lambda room: make_token("alice", room, publish=True, issued_offset_seconds=3600),
    "alg-none": lambda room: make_token("alice", room, publish=True, secret=None, algorithm="none"),
    "alg-hs512": lambda room: make_token("alice", room, publish=True, algorithm="HS512"),
    "unknown-api-key": lambda room: make_token("alice", room, publish=True, api_key="otherkey"),
    "truncated-signature": lambda room: make_token("alice", room, publish=True)[:-6],
}


@pytest.mark.parametrize("kind", sorted(BAD_TOKENS))
def test_whip_invalid_token_is_401(chorus, room_name: str, publisher_offer: str, kind: str) -> None:
    token = BAD_TOKENS[kind](room_name)
    response = chorus_api.post_sdp(chorus_api.whip_url(chorus.base_url, room_name), publisher_offer, token)
    assert response.status == 401, response.describe()
    chorus_api.error_body(response)


def test_whip_basic_auth_is_401(chorus, room_name: str, publisher_offer: str) -> None:
    headers = {"Content-Type": "application/sdp", "Authorization": "Basic ZGV2a2V5OmRldnNlY3JldA=="}
    response = chorus_api.request(
        "POST", chorus_api.whip_url(chorus.base_url, room_name), body=publisher_offer, headers=headers
    )
    assert response.status == 401, response.describe()
    chorus_api.error_body(response)


def test_whip_token_for_other_room_is_403(chorus, room_name: str, publisher_offer: str) -> None:
    token = make_token("alice", room_name + "-other", publish=True)
    response = chorus_api.post_sdp(chorus_api.whip_url(chorus.base_url, room_name), publisher_offer, token)
    assert response.status == 403, response.describe()
    chorus_api.error_body(response)


def test_whip_without_publish_grant_is_403(chorus, room_name: str, publisher_offer: str) -> None:
    token = make_token("alice", room_name, subscribe=True)
    response = chorus_api.post_sdp(chorus_api.whip_url(chorus.base_url, room_name), publisher_offer, token)
    assert response.status == 403, response.describe()
    chorus_api.error_body(response)


def test_whep_unknown_room_is_404(chorus, room_name: str) -> None:
    offer = asyncio.run(rtc_clients.offer_only("recvonly"))
    token = make_token("bob", room_name, subscribe=True)
    response = chorus_api.post_sdp(chorus_api.whep_url(chorus.base_url, room_name, "alice"), offer, token)
    assert response.status == 404, response.describe()
    chorus_api.error_body(response)


def test_whip_oversize_body_is_413(chorus, room_name: str, publisher_offer: str) -> None:
    token = make_token("alice", room_name, publish=True)
    padding = "a=x-padding:" + "p" * 1000 + "\r\n"
    body = publisher_offer + padding * (OVERSIZE_BODY_BYTES // len(padding))
    response = chorus_api.post_sdp(chorus_api.whip_url(chorus.base_url, room_name), body, token, timeout=20)
    assert response.status == 413, response.describe()
    chorus_api.error_body(response)


def test_whip_delete_needs_token(chorus, room_name: str, publisher_offer: str) -> None:
    token = make_token("alice", room_name, publish=True)
    url = chorus_api.whip_url(chorus.base_url, room_name)
    created = chorus_api.post_sdp(url, publisher_offer, token)
    assert created.status == 201, created.describe()
    resource = chorus_api.resource_url(url, created)

    anonymous = chorus_api.request("DELETE", resource)
    assert anonymous.status == 401, anonymous.describe()
    chorus_api.error_body(anonymous)
    deleted = chorus_api.request("DELETE", resource, headers=chorus_api.bearer(token))
    assert deleted.status == 200, f"DELETE with the session's token after an anonymous one: {deleted.describe()}"


def test_server_still_serves_calls(chorus, room_name: str) -> None:
    """Runs last in this module: after all the requests above, a real call must still work."""
    report, tone = asyncio.run(aiortc_call.publish_and_subscribe(chorus.base_url, room_name, window_seconds=3.0))
    print(report.summary())
    aiortc_call.check_report(report, tone, min_video_frames=30, min_audio_frames=50)
