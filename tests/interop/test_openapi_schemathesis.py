"""Property-based tests of the HTTP API against the OpenAPI document the server serves.

Schemathesis (https://schemathesis.readthedocs.io, version pinned in requirements.txt) reads
`GET /v1/openapi.json` and generates valid and invalid requests for every operation. It checks
that no response is a 5xx, and that each matches the document in status code, content type,
headers and body schema. The WebSocket route `/v1/rtc` is left out because an HTTP fuzzer
cannot upgrade, and test_signaling_abuse.py covers it.

Set CHORUS_SCHEMATHESIS_SEED to a number to replay a run, or to `random` for a new seed, and
CHORUS_SCHEMATHESIS_EXAMPLES to change the number of generated cases per operation.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import chorus_api
from chorus_api import make_token

DOCUMENT_FILE = Path(__file__).resolve().parents[2] / "Sources" / "Signaling" / "Resources" / "openapi.json"
# The document's own examples use this room and identity, so example requests reach real state.
ROOM = "demo"
IDENTITY = "alice"
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "ignored_auth",
]
# A fixed seed keeps CI reproducible; CHORUS_SCHEMATHESIS_SEED=random explores new cases.
DEFAULT_SEED = "20251204"
# About 40 operations at 60 cases each took 30 to 50 s against a release build on a 2-core machine.
DEFAULT_EXAMPLES = 60
RUN_TIMEOUT_SECONDS = 240
# The start of the report lists the failures, each with a curl command that reproduces it.
REPORT_HEAD_CHARACTERS = 12_000

# Schemathesis has no serializer for SDP bodies. They are text, so the text/plain one fits.
HOOKS_SOURCE = """\
import schemathesis

schemathesis.serializer.alias("application/sdp", "text/plain")
schemathesis.serializer.alias("application/trickle-ice-sdpfrag", "text/plain")
"""


def admin_token() -> str:
    """Return a token with every grant for ROOM, so that only invalid requests get 401 or 403."""
    return make_token(
        IDENTITY,
        ROOM,
        extra_claims={
            "grants": {
                "room": ROOM,
                "roomJoin": True,
                "canPublish": True,
                "canSubscribe": True,
                "roomCreate": True,
                "roomList": True,
                "roomAdmin": True,
            }
        },
    )


def served_document(base_url: str) -> dict:
    """Fetch /v1/openapi.json, failing with the reason when the server does not serve it."""
    response = chorus_api.request("GET", f"{base_url}/v1/openapi.json")
    if response.status != 200:
        pytest.fail(
            "the server does not serve its OpenAPI document at GET /v1/openapi.json "
            f"(it should return {DOCUMENT_FILE.relative_to(DOCUMENT_FILE.parents[3])} from the Signaling "
            f"resources): {response.describe()}"
        )
    content_type = response.header("Content-Type") or ""
    assert content_type.startswith("application/json"), f"wrong Content-Type: {response.describe()}"
    try:
        return json.loads(response.body)
    except ValueError as error:
        pytest.fail(f"/v1/openapi.json is not valid JSON ({error}): {response.describe()}")


def test_served_document_matches_repository(chorus) -> None:
    document = served_document(chorus.base_url)
    in_repository = json.loads(DOCUMENT_FILE.read_text())
    assert document == in_repository, (
        f"/v1/openapi.json differs from {DOCUMENT_FILE}; rebuild the server so it bundles the current file"
    )
    assert document["openapi"].startswith("3."), document["openapi"]


def test_api_conforms_to_openapi(chorus, output_dir: Path, tmp_path: Path) -> None:
    served_document(chorus.base_url)
    hooks = tmp_path / "schemathesis_hooks.py"
    hooks.write_text(HOOKS_SOURCE)
    seed = os.environ.get("CHORUS_SCHEMATHESIS_SEED", DEFAULT_SEED)
    examples = int(os.environ.get("CHORUS_SCHEMATHESIS_EXAMPLES", DEFAULT_EXAMPLES))
    junit_path = output_dir / "schemathesis-junit.xml"
    log_path = output_dir / "schemathesis.log"

    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        f"{chorus.base_url}/v1/openapi.json",
        "--url",
        chorus.base_url,
        "--header",
        f"Authorization: Bearer {admin_token()}",
        "--checks",
        ",".join(CHECKS),
        "--exclude-path",
        "/v1/rtc",
        "--max-examples",
        str(examples),
        "--request-timeout",
        "5",
        "--workers",
        "1",
        "--report",
        "junit",
        "--report-junit-path",
        str(junit_path),
        "--no-color",
        # libwebsockets 4.1 drops a connection whose URI decodes to a NUL byte, before Chorus
        # sees the request, so that case cannot get a JSON error; Chorus rejects every other
        # control character in a path with 400.
        "--generation-allow-x00",
        "false",
    ]
    if seed != "random":
        command += ["--seed", seed]
    environment = {**os.environ, "SCHEMATHESIS_HOOKS": str(hooks), "NO_COLOR": "1", "COLUMNS": "120"}
    try:
        result = subprocess.run(
            command,
            cwd=tmp_path,
            env=environment,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT_SECONDS,
        )
    except subprocess.TimeoutExpired as error:
        partial = error.stdout or ""
        log_path.write_text(partial if isinstance(partial, str) else partial.decode(errors="replace"))
        pytest.fail(f"schemathesis did not finish within {RUN_TIMEOUT_SECONDS} s; output so far in {log_path}")

    output = result.stdout + result.stderr
    log_path.write_text(output)
    exit_status = result.returncode
    # The summary at the end names the seed that replays the run.
    report = output if len(output) <= REPORT_HEAD_CHARACTERS else output[:REPORT_HEAD_CHARACTERS] + "\n[...]\n"
    assert exit_status == 0, (
        f"schemathesis found responses that break the OpenAPI document (exit status {exit_status}, "
        f"full output in {log_path}, JUnit report in {junit_path}):\n{report}\n{output[-1500:]}"
    )
