"""HTTP and token helpers for talking to a Chorus server started with `--dev`."""

import http.client
import json
import time
import warnings
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

import jwt
from jwt.warnings import InsecureKeyLengthWarning

DEV_API_KEY = "devkey"
DEV_API_SECRET = "devsecret"


def make_token(
    identity: str,
    room: str,
    *,
    publish: bool = False,
    subscribe: bool = False,
    admin: bool = False,
    ttl_seconds: int = 3600,
    issued_offset_seconds: int = 0,
    api_key: str = DEV_API_KEY,
    secret: str | None = DEV_API_SECRET,
    algorithm: str = "HS256",
    extra_claims: dict | None = None,
) -> str:
    """Mint an access token the way any application server would, with PyJWT.

    `issued_offset_seconds` shifts `nbf` and `exp` relative to now, so negative values
    make an expired token. Tests pass another `algorithm` or `secret` to build tokens
    the server must reject.
    """
    now = int(time.time()) + issued_offset_seconds
    claims = {
        "iss": api_key,
        "sub": identity,
        "nbf": now - 10,
        "exp": now + ttl_seconds,
        "grants": {
            "room": room,
            "roomJoin": True,
            "canPublish": publish,
            "canSubscribe": subscribe,
            "roomCreate": False,
            "roomList": False,
            "roomAdmin": admin,
        },
    }
    claims.update(extra_claims or {})
    with warnings.catch_warnings():
        # The public dev secret is shorter than PyJWT recommends for HMAC keys.
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        return jwt.encode(claims, secret, algorithm=algorithm)


@dataclass
class Response:
    """An HTTP response with the body read in full."""

    status: int
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def describe(self) -> str:
        """Return a one-line summary for assertion messages."""
        return f"HTTP {self.status} {self.headers} {self.text()[:400]!r}"


def request(
    method: str,
    url: str,
    *,
    body: bytes | str | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
) -> Response:
    """Send one HTTP/1.1 request and return the response, whatever its status.

    If the server closes the connection while the body is still being sent (as it may
    after rejecting an oversize request), the response it wrote before closing is
    still read. Connection failures and timeouts raise AssertionError with the URL.
    """
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    payload = body.encode() if isinstance(body, str) else body
    connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=timeout)
    try:
        return _exchange(connection, method, path, payload, headers or {})
    except TimeoutError as error:
        raise AssertionError(f"{method} {url}: no response within {timeout:.0f} s") from error
    except (OSError, http.client.HTTPException) as error:
        raise AssertionError(f"{method} {url} failed: {error!r}") from error
    finally:
        connection.close()


def _exchange(
    connection: http.client.HTTPConnection, method: str, path: str, payload: bytes | None, headers: dict[str, str]
) -> Response:
    connection.putrequest(method, path)
    for name, value in headers.items():
        connection.putheader(name, value)
    if payload is not None:
        connection.putheader("Content-Length", str(len(payload)))
    connection.endheaders()
    if payload:
        try:
            connection.send(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass
    response = connection.getresponse()
    received = response.read()
    return Response(
        status=response.status,
        headers={name.lower(): value for name, value in response.getheaders()},
        body=received,
    )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def whip_url(base_url: str, room: str) -> str:
    return f"{base_url}/v1/rooms/{quote(room, safe='')}/whip"


def whep_url(base_url: str, room: str, participant: str) -> str:
    return f"{base_url}/v1/rooms/{quote(room, safe='')}/whep?participant={quote(participant, safe='')}"


def resource_url(request_url: str, response: Response) -> str:
    """Resolve the `Location` header of a WHIP or WHEP answer against the request URL."""
    location = response.header("Location")
    if not location:
        raise AssertionError(f"response has no Location header: {response.describe()}")
    return urljoin(request_url, location)


def post_sdp(url: str, sdp: str, token: str | None, timeout: float = 10.0) -> Response:
    headers = {"Content-Type": "application/sdp"}
    if token is not None:
        headers.update(bearer(token))
    return request("POST", url, body=sdp, headers=headers, timeout=timeout)


def error_body(response: Response) -> dict:
    """Return the `error` object of a JSON error reply, or raise AssertionError."""
    content_type = response.header("Content-Type") or ""
    assert content_type.startswith("application/json"), (
        f"error reply is not JSON (Content-Type {content_type!r}): {response.describe()}"
    )
    try:
        document = json.loads(response.body)
    except ValueError as error:
        raise AssertionError(f"error reply is not valid JSON ({error}): {response.describe()}")
    assert isinstance(document, dict) and isinstance(document.get("error"), dict), (
        f"error reply has no error object: {response.describe()}"
    )
    error = document["error"]
    assert isinstance(error.get("code"), str) and error["code"], f"error has no code: {response.describe()}"
    assert isinstance(error.get("message"), str), f"error has no message: {response.describe()}"
    return error
