"""Three headless Chromium participants in one room, each through the web client served at `/`.

The tests share one module-scoped room and run in file order: media, chat, mute, a cut
WebSocket, then leaving and removal, which end the call. The last test reuses the browsers
for a room limited to two participants.
"""

import time
from pathlib import Path
from urllib.parse import quote

import pytest

import browser
import chorus_api
import conference_page
from chorus_api import make_token
from conference_page import ConferencePage, counters_by_sender, counters_for_track

NAMES = ("Ann", "Ben", "Cai")
JOIN_TIMEOUT_SECONDS = 20.0
MEDIA_TIMEOUT_SECONDS = 25.0
# Counters are compared across this interval to tell flowing media from stopped media.
SAMPLE_INTERVAL_SECONDS = 1.5
EVENT_TIMEOUT_SECONDS = 5.0
TILE_REMOVAL_SECONDS = 2.0
RESUME_MEDIA_SECONDS = 5.0
# Packets already in flight when the server stops forwarding a muted track.
MUTED_PACKET_ALLOWANCE = 3


def require_conference_signaling(base_url: str) -> None:
    """Fail at once, rather than after timeouts, when the server has no `/v1/rtc` endpoint."""
    response = chorus_api.request("GET", f"{base_url}/v1/rtc")
    if response.status == 404:
        pytest.fail(f"the server has no conference signaling endpoint: GET /v1/rtc returned {response.describe()}")
    page = chorus_api.request("GET", f"{base_url}/")
    assert page.status == 200, f"GET / (the web client) returned {page.describe()}"


@pytest.fixture(scope="module")
def pages(chorus_server, output_dir: Path):
    """Three Chromium instances, each with its own driver log; quit after the module."""
    require_conference_signaling(chorus_server.base_url)
    drivers = []
    try:
        for name in NAMES:
            drivers.append(browser.start_chromium(output_dir / f"chromedriver-conference-{name.lower()}.log"))
        yield [ConferencePage(driver, name) for driver, name in zip(drivers, NAMES)]
    finally:
        for driver in drivers:
            driver.quit()


@pytest.fixture(scope="module")
def conference(chorus_server, pages):
    """The three pages joined to one room, each listing the other two participants."""
    room = f"web-conference-{time.monotonic_ns() % 1_000_000_000}"
    for page, name in zip(pages, NAMES):
        page.open(chorus_server.base_url, room, name)
    for page in pages:
        page.wait_joined(others=2, timeout=JOIN_TIMEOUT_SECONDS)
    return room


def identity(page: ConferencePage) -> str:
    return page.state()["identity"]


def wait_for_media(pages: list[ConferencePage], senders: dict[str, list[str]], timeout: float) -> dict:
    """Wait until every page decodes video from, and receives audio from, each of its listed senders.

    `senders` maps a page label to the identities it must receive. Returns the last growth seen
    per page, and fails with those figures if media does not flow in time.
    """
    deadline = time.monotonic() + timeout
    while True:
        before = {page.label: page.stats() for page in pages}
        time.sleep(SAMPLE_INTERVAL_SECONDS)
        after = {page.label: page.stats() for page in pages}
        growth = {}
        missing = []
        for page in pages:
            video_then = counters_by_sender(before[page.label], "video", "framesDecoded")
            video_now = counters_by_sender(after[page.label], "video", "framesDecoded")
            audio_then = counters_by_sender(before[page.label], "audio", "packetsReceived")
            audio_now = counters_by_sender(after[page.label], "audio", "packetsReceived")
            growth[page.label] = {}
            for sender in senders[page.label]:
                frames = video_now.get(sender, 0) - video_then.get(sender, 0)
                packets = audio_now.get(sender, 0) - audio_then.get(sender, 0)
                growth[page.label][sender] = {"framesDecoded": frames, "audioPackets": packets}
                if frames <= 0 or packets <= 0:
                    missing.append(f"{page.label} from {sender}: +{frames} frames, +{packets} audio packets")
        if not missing:
            return growth
        if time.monotonic() > deadline:
            details = "\n".join(
                f"{page.label}: stats {browser.describe(after[page.label])}\n"
                f"state {conference_page.describe_state(page.state())}"
                for page in pages
            )
            raise AssertionError(f"media is not flowing after {timeout:.0f} s: {missing}\n{details}")


def others(pages: list[ConferencePage], page: ConferencePage) -> list[str]:
    return [identity(other) for other in pages if other is not page]


def test_three_participants_exchange_media(chorus, conference, pages, output_dir: Path) -> None:
    senders = {page.label: others(pages, page) for page in pages}
    try:
        wait_for_media(pages, senders, MEDIA_TIMEOUT_SECONDS)
    finally:
        pages[0].driver.save_screenshot(str(output_dir / "conference.png"))

    for page in pages:
        state = page.state()
        assert state["publisherState"] == "connected", f"{page.label} publisher: {state['publisherState']}"
        assert state["subscriberState"] == "connected", f"{page.label} subscriber: {state['subscriberState']}"
        camera = [track for track in state["localTracks"] if track["source"] == "camera"]
        assert camera and camera[0]["sid"], f"{page.label} has no published camera track: {state['localTracks']}"
        tiles = page.tile_identities()
        for other in senders[page.label]:
            assert tiles.count(other) == 1, f"{page.label} shows tiles {tiles}, expected one for {other}"
        assert tiles.count(state["identity"]) == 1, f"{page.label} has no self-view tile: {tiles}"


def test_chat_reaches_everyone(chorus, conference, pages) -> None:
    sender, receivers = pages[0], pages[1:]
    text = f"hello from {sender.label} <b>not bold</b>"
    assert sender.call("sendChat", text) is True

    for page in receivers:
        state = page.wait_for(
            lambda state: any(entry["text"] == text for entry in state.get("chat", [])),
            EVENT_TIMEOUT_SECONDS,
            f"the chat message from {sender.label}",
        )
        entry = next(entry for entry in state["chat"] if entry["text"] == text)
        assert entry["from"] == identity(sender)
        assert entry["name"] == sender.label
        # The text is shown as text, never parsed as HTML.
        chat_texts = page.driver.execute_script(
            "return [...document.querySelectorAll('#chat-log .chat-text')].map((node) => node.textContent)"
        )
        assert text in chat_texts, f"{page.label} chat log shows {chat_texts}"


def test_mute_stops_forwarding(chorus, conference, pages) -> None:
    muter, watchers = pages[0], pages[1:]
    muter_identity = identity(muter)
    local = {track["source"]: track["sid"] for track in muter.state()["localTracks"]}
    assert local.get("microphone"), f"{muter.label} publishes no microphone: {local}"
    assert local.get("camera"), f"{muter.label} publishes no camera: {local}"

    assert muter.call("setMuted", "microphone", True) is True
    assert muter.call("setMuted", "camera", True) is True
    try:
        for page in watchers:
            page.wait_for(
                lambda state: muted_sources(state, muter_identity) >= {"microphone", "camera"},
                EVENT_TIMEOUT_SECONDS,
                f"track_muted for {muter.label}'s microphone and camera",
            )
        # Let packets already on their way arrive, then check that nothing more comes.
        time.sleep(1.0)
        before = {page.label: page.stats() for page in watchers}
        time.sleep(2 * SAMPLE_INTERVAL_SECONDS)
        after = {page.label: page.stats() for page in watchers}
        for page in watchers:
            for source, sid in (("microphone", local["microphone"]), ("camera", local["camera"])):
                received = counters_for_track(before[page.label], sid, "packetsReceived")
                assert received > 0, f"{page.label} has no inbound stream for {muter.label}'s {source} ({sid})"
                grown = counters_for_track(after[page.label], sid, "packetsReceived") - counters_for_track(
                    before[page.label], sid, "packetsReceived"
                )
                assert grown <= MUTED_PACKET_ALLOWANCE, (
                    f"{page.label} still receives {muter.label}'s muted {source}: +{grown} packets in "
                    f"{2 * SAMPLE_INTERVAL_SECONDS:.0f} s"
                )
            mic_icon = page.driver.execute_script(
                "const tile = document.querySelector(`.tile[data-source=camera][data-identity='${arguments[0]}']`);"
                "return tile && !tile.querySelector('.tile-mic-off').hidden",
                muter_identity,
            )
            assert mic_icon, f"{page.label} shows no muted icon on {muter.label}'s tile"
    finally:
        muter.call("setMuted", "microphone", False)
        muter.call("setMuted", "camera", False)

    for page in watchers:
        page.wait_for(
            lambda state: not muted_sources(state, muter_identity),
            EVENT_TIMEOUT_SECONDS,
            f"track_muted (unmuted) for {muter.label}",
        )
    # Unmuted media flows again: every page receives everyone once more.
    wait_for_media(pages, {page.label: others(pages, page) for page in pages}, MEDIA_TIMEOUT_SECONDS)


def muted_sources(state: dict, participant: str) -> set[str]:
    for entry in state.get("participants", []):
        if entry["identity"] == participant:
            return {track["source"] for track in entry["tracks"] if track["muted"]}
    return set()


def test_websocket_cut_resumes(chorus, conference, pages) -> None:
    victim = pages[2]
    victim_identity = identity(victim)
    resumes_before = victim.state()["resumeCount"]

    cut = conference_page.cut_tcp_connections(victim.driver, chorus_api_port(chorus.base_url))
    assert cut, f"found no TCP connection from {victim.label}'s browser to the server"
    started = time.monotonic()

    victim.wait_for(
        lambda state: state.get("resumeCount", 0) > resumes_before and state.get("status") == "connected",
        RESUME_MEDIA_SECONDS,
        "resuming the signaling connection",
    )
    wait_for_media(pages, {page.label: others(pages, page) for page in pages}, RESUME_MEDIA_SECONDS)
    assert time.monotonic() - started < RESUME_MEDIA_SECONDS + 2 * SAMPLE_INTERVAL_SECONDS

    for page in pages[:2]:
        state = page.state()
        assert victim_identity in [entry["identity"] for entry in state["participants"]]
        assert victim_identity not in [entry["identity"] for entry in state["departures"]], (
            f"{page.label} saw {victim.label} leave during the resume: {state['departures']}"
        )
    listed = [entry["identity"] for entry in victim.state()["participants"]]
    assert len(listed) == 2, f"{victim.label} lists {listed} after resuming"


def chorus_api_port(base_url: str) -> int:
    return int(base_url.rsplit(":", 1)[1])


def test_leave_and_removal_end_tiles(chorus, conference, pages) -> None:
    stayer, kicked, leaver = pages
    leaver_identity = identity(leaver)
    kicked_identity = identity(kicked)

    leaver.call("leave")
    started = time.monotonic()
    for page in (stayer, kicked):
        wait_for_tiles_gone(page, leaver_identity, started)
    leaver.wait_for(lambda state: state.get("leftReason") == "left", EVENT_TIMEOUT_SECONDS, "leaving")
    assert leaver.tile_identities() == [], "the page that left still shows tiles"

    admin_token = make_token("web-test-admin", conference, admin=True)
    url = f"{chorus.base_url}/v1/rooms/{quote(conference, safe='')}/participants/{quote(kicked_identity, safe='')}"
    removed = chorus_api.request("DELETE", url, headers=chorus_api.bearer(admin_token))
    assert removed.status == 204, f"DELETE {url}: {removed.describe()}"
    started = time.monotonic()

    state = kicked.wait_for(
        lambda state: state.get("status") == "ended", EVENT_TIMEOUT_SECONDS, "being disconnected after removal"
    )
    assert state["leftReason"] == "kicked"
    assert "removed" in kicked.visible_text("join-message"), "the removed page does not tell its user"
    wait_for_tiles_gone(stayer, kicked_identity, started)
    assert stayer.state()["status"] == "connected"


def wait_for_tiles_gone(page: ConferencePage, departed: str, started: float) -> None:
    """Wait until `page` neither lists nor shows `departed`, within TILE_REMOVAL_SECONDS of `started`."""
    remaining = TILE_REMOVAL_SECONDS - (time.monotonic() - started)
    page.wait_for(
        lambda state: departed not in [entry["identity"] for entry in state.get("participants", [])]
        and departed not in page.tile_identities(),
        max(remaining, 0.1),
        f"removing the participant {departed} and its tiles",
    )


def test_max_participants_rejects_third(chorus, pages) -> None:
    room = f"web-small-{time.monotonic_ns() % 1_000_000_000}"
    grants = {"room": room, "roomJoin": False, "roomCreate": True}
    create_token = make_token("web-test-creator", room, extra_claims={"grants": grants})
    created = chorus_api.request(
        "POST",
        f"{chorus.base_url}/v1/rooms",
        body=f'{{"name": "{room}", "maxParticipants": 2}}',
        headers={**chorus_api.bearer(create_token), "Content-Type": "application/json"},
    )
    assert created.status == 201, f"POST /v1/rooms: {created.describe()}"

    first, second, third = pages
    first.open(chorus.base_url, room, "First")
    first.wait_joined(others=0, timeout=JOIN_TIMEOUT_SECONDS)
    second.open(chorus.base_url, room, "Second")
    second.wait_joined(others=1, timeout=JOIN_TIMEOUT_SECONDS)

    third.open(chorus.base_url, room, "Third")
    state = third.wait_for(
        lambda state: (state.get("error") or {}).get("code") == "room_full",
        JOIN_TIMEOUT_SECONDS,
        "the room_full error",
    )
    assert state["status"] != "connected"
    message = third.visible_text("join-message")
    assert "full" in message, f"the page shows {message!r} instead of saying the room is full"
    assert len(first.state()["participants"]) == 1
