"""Malformed, oversized and flooding input on the signaling WebSocket, and rejected upgrades.

docs/signaling.md specifies the replies. Invalid JSON, non-objects, unknown types and fields of
the wrong type get an `error` message, and the connection stays open. A message over 64 KiB
closes the connection with code 1009. More than 50 messages a second, sustained over 2 seconds,
close it with code 1008. Each test also checks that the abuse stays contained: another
participant in the same room still gets a `pong` for each `ping`, and /healthz returns 200.
"""

import asyncio
import base64
import json
import time
import urllib.parse

import pytest
import websockets
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

import chorus_api
from chorus_api import DEV_API_KEY, make_token

MAX_MESSAGE_BYTES = 64 * 1024
REPLY_TIMEOUT_SECONDS = 3.0
CLOSE_TIMEOUT_SECONDS = 10.0
# A pong slower than this means the control thread was stalled by another connection's input.
PONG_DEADLINE_SECONDS = 1.0


def rtc_url(base_url: str, token: str | None, **query: str) -> str:
    parameters = dict(query)
    if token is not None:
        parameters["access_token"] = token
    suffix = f"?{urllib.parse.urlencode(parameters)}" if parameters else ""
    return base_url.replace("http://", "ws://", 1) + "/v1/rtc" + suffix


class Peer:
    """One signaling connection that has received `joined`.

    A reader task takes every message off the socket as it arrives, as a browser would, so the
    server's last messages and close frame are read even while the test is still sending.
    """

    def __init__(self, identity: str, socket: websockets.ClientConnection, joined: dict) -> None:
        self.identity = identity
        self.socket = socket
        self.joined = joined
        self.received: list[dict] = []
        self.closed: asyncio.Future = asyncio.get_running_loop().create_future()
        self._arrived = asyncio.Event()
        self._next_ping_id = 0
        # Index in `received` of the first message that `expect` has not looked at.
        self._cursor = 0
        self._reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        try:
            async for text in self.socket:
                self.received.append(json.loads(text))
                self._arrived.set()
        except ConnectionClosed as closed:
            self.closed.set_result(closed)
        except Exception as error:
            self.closed.set_exception(error)
        else:
            # The iterator ends without raising when the close was clean (code 1000 or 1001).
            protocol = self.socket.protocol
            self.closed.set_result(
                ConnectionClosed(protocol.close_rcvd, protocol.close_sent, protocol.close_rcvd_then_sent)
            )
        finally:
            self._arrived.set()

    async def send(self, message: dict | str) -> None:
        await self.socket.send(message if isinstance(message, str) else json.dumps(message))

    async def expect(self, description: str, predicate, timeout: float = REPLY_TIMEOUT_SECONDS) -> dict:
        """Wait for a message that matches `predicate`, looking only at messages after the last match."""
        deadline = time.monotonic() + timeout
        start = self._cursor
        while True:
            while self._cursor < len(self.received):
                message = self.received[self._cursor]
                self._cursor += 1
                if predicate(message):
                    return message
            if self.closed.done():
                raise AssertionError(
                    f"{self.identity}: connection closed ({describe_close(self.closed.result())}) while waiting "
                    f"for {description}; received types {[m.get('type') for m in self.received[start:]]}"
                )
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                seen = [message.get("type") for message in self.received[start:]]
                raise AssertionError(f"{self.identity}: no {description} within {timeout:.1f} s; received types {seen}")
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), remaining)
            except TimeoutError:
                pass

    async def error_reply(self) -> dict:
        return await self.expect("error message", lambda message: message.get("type") == "error")

    async def ping_roundtrip(self) -> float:
        """Send a ping and return the seconds until its pong arrives."""
        self._next_ping_id += 1
        ping_id = f"{self.identity}-{self._next_ping_id}"
        started = time.monotonic()
        await self.send({"type": "ping", "id": ping_id})
        await self.expect(f"pong {ping_id}", lambda m: m.get("type") == "pong" and m.get("id") == ping_id)
        return time.monotonic() - started

    async def close(self) -> None:
        await self.socket.close()
        await asyncio.gather(self._reader, return_exceptions=True)


def describe_close(closed: ConnectionClosed) -> str:
    if closed.rcvd is None:
        return "no close frame received"
    return f"close code {closed.rcvd.code}, reason {closed.rcvd.reason!r}"


async def join(base_url: str, room: str, identity: str, token: str | None = None,
               query: dict[str, str] | None = None) -> Peer:
    token = token or make_token(identity, room, publish=True, subscribe=True)
    socket = await websockets.connect(rtc_url(base_url, token, **(query or {})), open_timeout=5, max_size=2**22)
    text = await asyncio.wait_for(socket.recv(), REPLY_TIMEOUT_SECONDS)
    joined = json.loads(text)
    assert joined.get("type") == "joined", f"{identity}: first message is not joined: {text[:300]}"
    return Peer(identity, socket, joined)


async def wait_for_close(peer: Peer, timeout: float = CLOSE_TIMEOUT_SECONDS) -> ConnectionClosed:
    """Wait until the server closes the connection and return how it closed; fail if it stays open."""
    try:
        return await asyncio.wait_for(asyncio.shield(peer.closed), timeout)
    except TimeoutError:
        raise AssertionError(f"{peer.identity}: the server did not close the connection within {timeout:.0f} s")


async def assert_contained(base_url: str, bystander: Peer) -> None:
    """Check that the server and the other participant of the room are unaffected."""
    for _ in range(3):
        elapsed = await bystander.ping_roundtrip()
        assert elapsed < PONG_DEADLINE_SECONDS, f"bystander's pong took {elapsed:.2f} s"
    health = await asyncio.to_thread(chorus_api.request, "GET", f"{base_url}/healthz", timeout=5)
    assert health.status == 200, f"/healthz after the abuse: {health.describe()}"


async def rejected_upgrade(url: str) -> str:
    """Try to upgrade and return how the server rejected it; fail if it accepted."""
    try:
        socket = await websockets.connect(url, open_timeout=5)
    except InvalidStatus as error:
        return f"HTTP {error.response.status_code}"
    except (InvalidHandshake, OSError, EOFError, TimeoutError) as error:
        return f"connection closed during the handshake ({type(error).__name__}: {error})"
    # Chorus completes the upgrade and then rejects: one error message, then close code 1008,
    # because libwebsockets cannot answer a refused upgrade with an HTTP status.
    try:
        first = await asyncio.wait_for(socket.recv(), REPLY_TIMEOUT_SECONDS)
    except (ConnectionClosed, TimeoutError) as error:
        first = f"nothing ({type(error).__name__})"
    try:
        message = json.loads(first)
    except (TypeError, ValueError):
        message = None
    if isinstance(message, dict) and message.get("type") == "error" and message.get("code") in (
        "unauthorized",
        "forbidden",
    ):
        try:
            await asyncio.wait_for(socket.recv(), REPLY_TIMEOUT_SECONDS)
        except ConnectionClosed as closed:
            if closed.rcvd is not None and closed.rcvd.code == 1008:
                return f"error {message['code']}, then close 1008"
        except TimeoutError:
            pass
        await socket.close()
        raise AssertionError(f"the server sent {message} but did not close with 1008")
    await socket.close()
    raise AssertionError(f"the server accepted the upgrade (status 101); first message: {str(first)[:300]}")


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 60))


@pytest.fixture
def rtc(chorus, room_name: str):
    """The server, after checking that it upgrades /v1/rtc for a valid token at all."""

    async def probe() -> None:
        try:
            peer = await join(chorus.base_url, room_name, "probe")
        except (InvalidHandshake, OSError, EOFError, TimeoutError) as error:
            pytest.fail(f"GET /v1/rtc did not upgrade to a WebSocket for a valid token ({error!r}); "
                        "the signaling endpoint of docs/signaling.md is missing or broken")
        await peer.send({"type": "leave"})
        await wait_for_close(peer)

    run(probe())
    return chorus


# Each case: the text frame sent, the expected error code, and the `request` the reply names (None: not checked).
MALFORMED_MESSAGES = [
    pytest.param('{"type": "ping"', "invalid_message", None, id="truncated-json"),
    pytest.param("not json at all", "invalid_message", None, id="not-json"),
    pytest.param("", "invalid_message", None, id="empty"),
    pytest.param('[{"type": "ping"}]', "invalid_message", None, id="json-array"),
    pytest.param('"ping"', "invalid_message", None, id="json-string"),
    pytest.param("42", "invalid_message", None, id="json-number"),
    pytest.param("null", "invalid_message", None, id="json-null"),
    pytest.param("{}", "invalid_message", None, id="missing-type"),
    pytest.param('{"type": 7}', "invalid_message", None, id="type-number"),
    pytest.param('{"type": null}', "invalid_message", None, id="type-null"),
    pytest.param('{"type": "teleport"}', "unknown_type", "teleport", id="unknown-type"),
    pytest.param('{"type": "PING"}', "unknown_type", "PING", id="type-wrong-case"),
    pytest.param('{"type": "mute", "trackSid": 5, "muted": true}', "invalid_message", "mute", id="mute-sid-number"),
    pytest.param('{"type": "mute", "trackSid": "TR_x", "muted": "yes"}', "invalid_message", "mute",
                 id="mute-muted-string"),
    pytest.param('{"type": "unpublish"}', "invalid_message", "unpublish", id="unpublish-missing-sid"),
    pytest.param('{"type": "publish", "sdp": 12, "tracks": []}', "invalid_message", "publish", id="publish-sdp-number"),
    pytest.param('{"type": "publish", "sdp": "v=0", "tracks": "all"}', "invalid_message", "publish",
                 id="publish-tracks-string"),
    pytest.param('{"type": "publish", "sdp": "v=0", "tracks": [{"mid": 0}]}', "invalid_message", "publish",
                 id="publish-mid-number"),
    pytest.param('{"type": "subscriber_answer", "sdp": ["v=0"]}', "invalid_message", "subscriber_answer",
                 id="answer-sdp-array"),
    pytest.param('{"type": "subscription", "trackSid": "TR_x", "layer": "high"}', "invalid_message", "subscription",
                 id="subscription-layer-string"),
    pytest.param('{"type": "subscription", "trackSid": "TR_x", "subscribe": 1}', "invalid_message", "subscription",
                 id="subscription-subscribe-number"),
    pytest.param('{"type": "chat", "payload": {"text": "hi"}}', "invalid_message", "chat", id="chat-payload-object"),
    pytest.param('{"type": "chat", "payload": "hi", "to": "bob"}', "invalid_message", "chat", id="chat-to-string"),
    pytest.param('{"type": "chat", "payload": "hi", "to": [1, 2]}', "invalid_message", "chat", id="chat-to-numbers"),
    pytest.param(json.dumps({"type": "chat", "payload": "x" * (16 * 1024 + 1)}), "too_large", "chat",
                 id="chat-payload-over-16k"),
    pytest.param("[" * 20_000 + "]" * 20_000, "invalid_message", None, id="nested-arrays-20000-deep"),
    pytest.param('{"a":' * 6_000 + "1" + "}" * 6_000, "invalid_message", None, id="nested-objects-6000-deep"),
    pytest.param('{"type": "ping", "id": 1e999999}', "invalid_message", None, id="number-out-of-range"),
    pytest.param('{"type": "ping", "type": "teleport"}', None, None, id="duplicate-key"),
    pytest.param('{"type": "\\ud800"}', None, None, id="lone-surrogate-escape"),
]


@pytest.mark.parametrize(("text", "code", "request_type"), MALFORMED_MESSAGES)
def test_malformed_message_gets_error(rtc, room_name: str, text: str, code: str | None,
                                      request_type: str | None) -> None:
    async def scenario() -> None:
        bystander = await join(rtc.base_url, room_name, "bystander")
        attacker = await join(rtc.base_url, room_name, "attacker")
        try:
            await attacker.send(text)
            # Without an expected code, the protocol allows an error reply or none, so only containment is checked.
            if code is not None:
                reply = await attacker.error_reply()
                assert reply.get("code") == code, f"error reply for {text[:80]!r}: {reply}"
                assert isinstance(reply.get("message"), str) and reply["message"], f"error without message: {reply}"
                if request_type is not None:
                    assert reply.get("request") == request_type, f"error reply names the wrong request: {reply}"
            # The connection stays open after an error reply.
            await attacker.ping_roundtrip()
            await assert_contained(rtc.base_url, bystander)
        finally:
            await attacker.close()
            await bystander.close()

    run(scenario())


def test_oversized_message_closes_1009(rtc, room_name: str) -> None:
    async def scenario() -> None:
        bystander = await join(rtc.base_url, room_name, "bystander")
        attacker = await join(rtc.base_url, room_name, "attacker")
        try:
            payload = json.dumps({"type": "chat", "payload": "x" * (10 * 1024 * 1024)})
            sender = asyncio.ensure_future(attacker.send(payload))
            closed = await wait_for_close(attacker)
            sender.cancel()
            await asyncio.gather(sender, return_exceptions=True)
            assert closed.rcvd is not None, f"a 10 MB message ended the connection with {describe_close(closed)}"
            assert closed.rcvd.code == 1009, f"a 10 MB message: {describe_close(closed)}"
            await assert_contained(rtc.base_url, bystander)
        finally:
            await attacker.close()
            await bystander.close()

    run(scenario())


def test_fragmented_oversized_message_closes_1009(rtc, room_name: str) -> None:
    async def scenario() -> None:
        bystander = await join(rtc.base_url, room_name, "bystander")
        attacker = await join(rtc.base_url, room_name, "attacker")
        try:
            # 40 fragments of 4 KiB: each frame is small, the message is 160 KiB.
            fragments = ['{"type": "chat", "payload": "'] + ["y" * 4096] * 40 + ['"}']
            sender = asyncio.ensure_future(attacker.socket.send(iter(fragments)))
            closed = await wait_for_close(attacker)
            sender.cancel()
            await asyncio.gather(sender, return_exceptions=True)
            assert closed.rcvd is not None, f"a 160 KiB fragmented message: {describe_close(closed)}"
            assert closed.rcvd.code == 1009, f"a 160 KiB fragmented message: {describe_close(closed)}"
            await assert_contained(rtc.base_url, bystander)
        finally:
            await attacker.close()
            await bystander.close()

    run(scenario())


def test_message_at_limit_is_accepted(rtc, room_name: str) -> None:
    async def scenario() -> None:
        bystander = await join(rtc.base_url, room_name, "bystander")
        attacker = await join(rtc.base_url, room_name, "attacker")
        try:
            # A ping padded with an ignored field to exactly 64 KiB.
            head, tail = '{"type": "ping", "id": "at-limit", "padding": "', '"}'
            text = head + "p" * (MAX_MESSAGE_BYTES - len(head) - len(tail)) + tail
            assert len(text.encode()) == MAX_MESSAGE_BYTES
            await attacker.send(text)
            await attacker.expect("pong at-limit", lambda m: m.get("type") == "pong" and m.get("id") == "at-limit")
            await assert_contained(rtc.base_url, bystander)
        finally:
            await attacker.close()
            await bystander.close()

    run(scenario())


@pytest.mark.parametrize(
    ("frame", "expected_code"),
    [
        pytest.param(b'{"type": "ping"}', 1003, id="binary-frame"),
        pytest.param(b'{"type": "ping", "id": "\xff\xfe"}', 1007, id="invalid-utf8-text"),
    ],
)
def test_undecodable_frame_closes(rtc, room_name: str, frame: bytes, expected_code: int) -> None:
    async def scenario() -> None:
        bystander = await join(rtc.base_url, room_name, "bystander")
        attacker = await join(rtc.base_url, room_name, "attacker")
        try:
            # Bytes go out as a binary frame; text=True sends the same bytes in a text frame, unchecked.
            await attacker.socket.send(frame, text=expected_code == 1007)
            closed = await wait_for_close(attacker)
            assert closed.rcvd is not None, f"{frame!r}: {describe_close(closed)}"
            assert closed.rcvd.code == expected_code, f"{frame!r}: {describe_close(closed)}"
            await assert_contained(rtc.base_url, bystander)
        finally:
            await attacker.close()
            await bystander.close()

    run(scenario())


def test_flood_closes_1008(rtc, room_name: str) -> None:
    async def scenario() -> None:
        bystander = await join(rtc.base_url, room_name, "bystander")
        attacker = await join(rtc.base_url, room_name, "attacker")
        pong_times: list[float] = []

        async def keep_pinging() -> None:
            while True:
                pong_times.append(await bystander.ping_roundtrip())
                await asyncio.sleep(0.1)

        async def flood() -> int:
            """Send 1000 pings a second for 2 s, in bursts of 10 every 10 ms; return how many went out."""
            sent = 0
            started = time.monotonic()
            try:
                for burst in range(200):
                    await asyncio.sleep(max(0.0, started + burst * 0.01 - time.monotonic()))
                    for _ in range(10):
                        await attacker.socket.send(json.dumps({"type": "ping", "id": sent}))
                        sent += 1
            except ConnectionClosed:
                pass
            return sent

        pinger = asyncio.ensure_future(keep_pinging())
        try:
            sent = await flood()
            closed = await wait_for_close(attacker)
            assert closed.rcvd is not None, f"flood of {sent} messages: {describe_close(closed)}"
            assert closed.rcvd.code == 1008, f"flood of {sent} messages: {describe_close(closed)}"
            errors = [m for m in attacker.received if m.get("type") == "error"]
            assert any(m.get("code") == "rate_limited" for m in errors), (
                f"no rate_limited error before the close; errors {errors[:3]}"
            )
            pongs = [m for m in attacker.received if m.get("type") == "pong"]
            # The token bucket lets a burst through before it closes; it must not let the whole flood through.
            assert len(pongs) < 500, f"{len(pongs)} of {sent} flood pings were answered before the close"
            assert not pinger.done(), f"the bystander's pings failed during the flood: {pinger.exception()!r}"
            assert pong_times, "the bystander got no pong during the flood"
            assert max(pong_times) < PONG_DEADLINE_SECONDS, f"bystander pong times during the flood: {pong_times}"
        finally:
            pinger.cancel()
            await asyncio.gather(pinger, return_exceptions=True)
        try:
            await assert_contained(rtc.base_url, bystander)
        finally:
            await attacker.close()
            await bystander.close()

    run(scenario())


def test_steady_rate_under_limit_stays_open(rtc, room_name: str) -> None:
    async def scenario() -> None:
        peer = await join(rtc.base_url, room_name, "steady")
        try:
            # 40 messages a second for 3 s stays under the 50 a second that the protocol allows.
            for index in range(120):
                await peer.send({"type": "ping", "id": index})
                await asyncio.sleep(0.025)
            await peer.expect("pong 119", lambda m: m.get("type") == "pong" and m.get("id") == 119)
            errors = [m for m in peer.received if m.get("type") == "error"]
            assert not errors, f"errors at 40 messages a second: {errors[:3]}"
            pongs = {m.get("id") for m in peer.received if m.get("type") == "pong"}
            assert pongs == set(range(120)), f"missing pongs: {sorted(set(range(120)) - pongs)[:10]}"
        finally:
            await peer.close()

    run(scenario())


def full_grants(room: str | None, **overrides: bool) -> dict:
    grants = {"room": room, "roomJoin": True, "canPublish": True, "canSubscribe": True}
    grants.update(overrides)
    return {key: value for key, value in grants.items() if value is not None}


BAD_TOKENS = [
    pytest.param(lambda room: None, id="missing"),
    pytest.param(lambda room: "", id="empty"),
    pytest.param(lambda room: "not.a.jwt", id="garbage"),
    pytest.param(lambda room: make_token("eve", room, secret="wrong-secret"), id="wrong-secret"),
    pytest.param(lambda room: make_token("eve", room, api_key="otherkey"), id="unknown-api-key"),
    pytest.param(lambda room: make_token("eve", room, issued_offset_seconds=-7200), id="expired"),
    pytest.param(lambda room: make_token("eve", room, issued_offset_seconds=3600), id="not-yet-valid"),
    pytest.param(lambda room: make_token("eve", room, algorithm="HS512"), id="hs512"),
    pytest.param(lambda room: unsigned_token("eve", room), id="alg-none"),
    pytest.param(lambda room: make_token("eve", room)[:-4] + "AAAA", id="tampered-signature"),
    pytest.param(lambda room: make_token("eve", room, extra_claims={"grants": full_grants(room, roomJoin=False)}),
                 id="no-roomJoin"),
    pytest.param(lambda room: make_token("eve", room, extra_claims={"grants": full_grants(None)}), id="no-room"),
    pytest.param(lambda room: make_token("eve", room, extra_claims={"grants": full_grants("../" + room)}),
                 id="invalid-room-name"),
    pytest.param(lambda room: make_token("", room), id="empty-identity"),
    pytest.param(lambda room: "x" * 20_000, id="oversized-token"),
]


def unsigned_token(identity: str, room: str) -> str:
    """Return a JWT with `alg: none` and no signature (RFC 7519 section 6), which must never be accepted."""

    def encode(document: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(document).encode()).rstrip(b"=").decode()

    claims = {"iss": DEV_API_KEY, "sub": identity, "exp": int(time.time()) + 3600, "grants": full_grants(room)}
    return f"{encode({'alg': 'none', 'typ': 'JWT'})}.{encode(claims)}."


@pytest.mark.parametrize("make_bad_token", BAD_TOKENS)
def test_bad_token_rejected(rtc, room_name: str, make_bad_token) -> None:
    async def scenario() -> None:
        bystander = await join(rtc.base_url, room_name, "bystander")
        try:
            rejection = await rejected_upgrade(rtc_url(rtc.base_url, make_bad_token(room_name)))
            print(f"rejected: {rejection}")
            assert not rejection.startswith("HTTP 5"), f"a bad token got a server error: {rejection}"
            await assert_contained(rtc.base_url, bystander)
            joined = [m for m in bystander.received if m.get("type") == "participant_joined"]
            assert not joined, f"a rejected connection was announced to the room: {joined}"
        finally:
            await bystander.close()

    run(scenario())


def test_token_in_authorization_header_accepted(rtc, room_name: str) -> None:
    """Check that /v1/rtc also takes the token from the Authorization header, for clients that can set it."""

    async def scenario() -> None:
        token = make_token("eve", room_name, publish=True, subscribe=True)
        socket = await websockets.connect(
            rtc_url(rtc.base_url, None), open_timeout=5, additional_headers=chorus_api.bearer(token)
        )
        try:
            first = json.loads(await asyncio.wait_for(socket.recv(), REPLY_TIMEOUT_SECONDS))
            assert first.get("type") == "joined", f"expected joined, got {first}"
        finally:
            await socket.close()

    run(scenario())


def test_token_for_other_room_cannot_join(rtc, room_name: str) -> None:
    """Check that the token alone names the room, so no query parameter moves a participant into another."""

    async def scenario() -> None:
        other_room = room_name + "-other"
        resident = await join(rtc.base_url, room_name, "resident")
        intruder_token = make_token("intruder", other_room, publish=True, subscribe=True)
        intruder = await join(rtc.base_url, other_room, "intruder", token=intruder_token,
                              query={"room": room_name})
        try:
            assert intruder.joined["room"]["name"] == other_room, (
                f"a token for {other_room} joined {intruder.joined['room']['name']}"
            )
            seen = {p.get("identity") for p in intruder.joined.get("participants", [])}
            assert "resident" not in seen, f"the intruder sees the other room's participants: {seen}"
            await assert_contained(rtc.base_url, resident)
            announced = [m for m in resident.received if m.get("type") == "participant_joined"]
            assert not announced, f"a participant of another room was announced: {announced}"
            await intruder.send({"type": "chat", "payload": "hello", "to": ["resident"]})
            await intruder.ping_roundtrip()
            await resident.ping_roundtrip()
            chats = [m for m in resident.received if m.get("type") == "chat"]
            assert not chats, f"chat crossed rooms: {chats}"
        finally:
            await intruder.close()
            await resident.close()

    run(scenario())


def test_admin_token_without_join_rejected(rtc, room_name: str) -> None:
    async def scenario() -> None:
        grants = {"room": room_name, "roomAdmin": True, "roomCreate": True, "roomList": True}
        token = make_token("admin", room_name, extra_claims={"grants": grants})
        rejection = await rejected_upgrade(rtc_url(rtc.base_url, token))
        print(f"rejected: {rejection}")

    run(scenario())


def test_rejections_keep_server_healthy(rtc, room_name: str) -> None:
    """Check that 50 rejected upgrades in a row leave the server serving HTTP and WebSockets."""

    async def scenario() -> None:
        for index in range(50):
            await rejected_upgrade(rtc_url(rtc.base_url, f"bad-token-{index}"))
        peer = await join(rtc.base_url, room_name, "after-refusals")
        try:
            await assert_contained(rtc.base_url, peer)
        finally:
            await peer.close()

    run(scenario())
