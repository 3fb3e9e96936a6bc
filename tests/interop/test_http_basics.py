"""Startup output, CORS for browser WHIP clients, and tokens from `chorus token`."""

import asyncio
import subprocess
import warnings

import jwt
from jwt.warnings import InsecureKeyLengthWarning

import chorus_api
import rtc_clients
from chorus_api import DEV_API_KEY, DEV_API_SECRET, make_token

FOREIGN_ORIGIN = "http://app.example"  # Only sent as a header; nothing connects to it.


def header_items(value: str | None) -> set[str]:
    return {item.strip().lower() for item in (value or "").split(",") if item.strip()}


def test_startup_line_names_url(chorus) -> None:
    lines = [line for line in chorus.log_text().splitlines() if "listening" in line]
    assert any(chorus.base_url in line for line in lines), (
        f"no startup line with 'listening' and {chorus.base_url}; lines with 'listening': {lines}"
    )


def test_cors_preflight_allows_whip(chorus, room_name: str) -> None:
    response = chorus_api.request(
        "OPTIONS",
        chorus_api.whip_url(chorus.base_url, room_name),
        headers={
            "Origin": FOREIGN_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert response.status in (200, 204), response.describe()
    assert response.header("Access-Control-Allow-Origin") == "*", response.describe()
    assert "post" in header_items(response.header("Access-Control-Allow-Methods")), response.describe()
    # A wildcard in Access-Control-Allow-Headers does not cover Authorization (Fetch standard).
    allowed_headers = header_items(response.header("Access-Control-Allow-Headers"))
    assert {"authorization", "content-type"} <= allowed_headers, response.describe()


def test_whip_answer_exposes_location(chorus, room_name: str) -> None:
    offer = asyncio.run(rtc_clients.offer_only("sendonly"))
    token = make_token("alice", room_name, publish=True)
    url = chorus_api.whip_url(chorus.base_url, room_name)
    response = chorus_api.request(
        "POST",
        url,
        body=offer,
        headers={"Origin": FOREIGN_ORIGIN, "Content-Type": "application/sdp", **chorus_api.bearer(token)},
    )
    assert response.status == 201, response.describe()
    try:
        assert response.header("Access-Control-Allow-Origin") == "*", response.describe()
        assert "location" in header_items(response.header("Access-Control-Expose-Headers")), response.describe()
    finally:
        resource = chorus_api.resource_url(url, response)
        deleted = chorus_api.request("DELETE", resource, headers=chorus_api.bearer(token))
        assert deleted.status == 200, deleted.describe()


def test_cli_token_is_standard_jwt(chorus, room_name: str) -> None:
    command = [str(chorus.binary), "token", "--dev", "--room", room_name, "--identity", "alice", "--publish"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=20)
    assert result.returncode == 0, f"{command} failed ({result.returncode}): {result.stderr}"
    token = result.stdout.strip().splitlines()[-1].strip() if result.stdout.strip() else ""
    assert token.count(".") == 2, f"`chorus token` printed no JWT: {result.stdout!r}"

    assert jwt.get_unverified_header(token).get("alg") == "HS256"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        claims = jwt.decode(token, DEV_API_SECRET, algorithms=["HS256"], options={"verify_aud": False})
    assert claims["iss"] == DEV_API_KEY, claims
    assert claims["sub"] == "alice", claims
    assert "exp" in claims, claims
    assert claims["grants"]["room"] == room_name, claims
    assert claims["grants"]["canPublish"] is True, claims

    offer = asyncio.run(rtc_clients.offer_only("sendonly"))
    url = chorus_api.whip_url(chorus.base_url, room_name)
    created = chorus_api.post_sdp(url, offer, token)
    assert created.status == 201, f"WHIP with a token from `chorus token`: {created.describe()}"
    deleted = chorus_api.request("DELETE", chorus_api.resource_url(url, created), headers=chorus_api.bearer(token))
    assert deleted.status == 200, deleted.describe()
