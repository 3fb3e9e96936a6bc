"""Headless Chromium through Selenium, with fake media devices and no network access."""

import json
import os
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMIUM_BINARY = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
CHROMEDRIVER_BINARY = os.environ.get("CHROMEDRIVER_BIN", "/usr/bin/chromedriver")

CHROMIUM_FLAGS = [
    "--headless=new",
    # Tests run as root in a network namespace, where Chromium's sandbox cannot start.
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--window-size=800,700",
    # Fake camera and microphone, granted without a prompt.
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
    # Chromium gathers no loopback candidates without this flag, and the namespace has only loopback.
    "--allow-loopback-in-peer-connection",
    "--disable-features=WebRtcHideLocalIpsWithMdns,OptimizationHints,MediaRouter,Translate,AutofillServerCommunication",
    # Keep Chromium from contacting any other host.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--no-pings",
    "--metrics-recording-only",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


def start_chromium(log_path: Path) -> webdriver.Chrome:
    """Start headless Chromium with Debian's chromedriver; its driver log goes to `log_path`."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM_BINARY
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=CHROMEDRIVER_BINARY, log_output=str(log_path))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_script_timeout(30)
    driver.set_page_load_timeout(15)
    return driver


def console_messages(driver: webdriver.Chrome) -> str:
    """Return the page's console output, for failure messages."""
    try:
        entries = driver.get_log("browser")
    except Exception as error:  # The log is diagnostic only; never hide the real failure.
        return f"(console log unavailable: {error})"
    return "\n".join(f"{entry['level']} {entry['message']}" for entry in entries) or "(empty)"


# Helpers installed on each page; every WebRTC step below builds on them.
PAGE_HELPERS = r"""
window.chorusTest = window.chorusTest || {
  async waitForIceGathering(pc, timeoutMs) {
    if (pc.iceGatheringState === 'complete') return;
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('ICE gathering did not complete in ' + timeoutMs + ' ms')),
                               timeoutMs);
      pc.addEventListener('icegatheringstatechange', () => {
        if (pc.iceGatheringState === 'complete') { clearTimeout(timer); resolve(); }
      });
    });
  },

  async signal(pc, url, token) {
    await pc.setLocalDescription(await pc.createOffer());
    await this.waitForIceGathering(pc, 10000);
    const response = await fetch(url, {
      method: 'POST',
      headers: {'Content-Type': 'application/sdp', 'Authorization': 'Bearer ' + token},
      body: pc.localDescription.sdp,
    });
    const body = await response.text();
    if (response.status !== 201) {
      throw new Error('POST ' + url + ' returned ' + response.status + ': ' + body);
    }
    await pc.setRemoteDescription({type: 'answer', sdp: body});
    return {location: response.headers.get('Location'), answer: body};
  },

  async inboundStats(pc) {
    const result = {};
    (await pc.getStats()).forEach((report) => {
      if (report.type === 'inbound-rtp') {
        result[report.kind] = {
          packetsReceived: report.packetsReceived || 0,
          framesDecoded: report.framesDecoded || 0,
          framesReceived: report.framesReceived || 0,
          frameWidth: report.frameWidth || 0,
          codecId: report.codecId || '',
        };
      }
    });
    result.connectionState = pc.connectionState;
    result.iceConnectionState = pc.iceConnectionState;
    return result;
  },
};
"""

PUBLISH_SCRIPT = (
    PAGE_HELPERS
    + r"""
const [url, token, done] = arguments;
(async () => {
  const stream = await navigator.mediaDevices.getUserMedia({audio: true, video: {width: 640, height: 480}});
  const pc = new RTCPeerConnection({iceServers: []});
  for (const track of stream.getTracks()) {
    pc.addTransceiver(track, {direction: 'sendonly', streams: [stream]});
  }
  window.publisher = pc;
  const result = await chorusTest.signal(pc, url, token);
  done({ok: true, location: result.location, answer: result.answer, offer: pc.localDescription.sdp});
})().catch((error) => done({ok: false, error: String(error && error.stack || error)}));
"""
)

SUBSCRIBE_SCRIPT = (
    PAGE_HELPERS
    + r"""
const [url, token, done] = arguments;
(async () => {
  const pc = new RTCPeerConnection({iceServers: []});
  pc.addTransceiver('audio', {direction: 'recvonly'});
  pc.addTransceiver('video', {direction: 'recvonly'});
  const stream = new MediaStream();
  const video = document.createElement('video');
  video.id = 'remote';
  video.muted = true;
  video.autoplay = true;
  video.playsInline = true;
  video.width = 640;
  video.height = 480;
  document.body.style.margin = '0';
  document.body.replaceChildren(video);
  pc.addEventListener('track', (event) => {
    stream.addTrack(event.track);
    video.srcObject = stream;
    video.play().catch(() => {});
  });
  window.subscriber = pc;
  const result = await chorusTest.signal(pc, url, token);
  done({ok: true, location: result.location, answer: result.answer, offer: pc.localDescription.sdp});
})().catch((error) => done({ok: false, error: String(error && error.stack || error)}));
"""
)

STATS_SCRIPT = (
    PAGE_HELPERS
    + r"""
const [name, done] = arguments;
chorusTest.inboundStats(window[name]).then(done, (error) => done({error: String(error)}));
"""
)

VIDEO_STATE_SCRIPT = r"""
const video = document.getElementById('remote');
return video ? {width: video.videoWidth, height: video.videoHeight, time: video.currentTime,
                paused: video.paused, readyState: video.readyState} : null;
"""


def describe(value) -> str:
    return json.dumps(value, sort_keys=True)[:2000]
