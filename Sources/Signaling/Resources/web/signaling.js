// Client side of the conference signaling protocol (docs/signaling.md): one JSON object per
// WebSocket text frame, a keepalive ping, and resuming a dropped connection with the resume
// token from `joined` while the server still keeps the participant.

const PING_INTERVAL_MS = 10_000;
// A socket that has delivered nothing (not even a pong) for this long is treated as dead, because
// a half-open TCP connection may never fire `close` by itself.
const SILENCE_TIMEOUT_MS = 25_000;
const FIRST_RETRY_DELAY_MS = 500;
const MAX_RETRY_DELAY_MS = 4_000;
const DEFAULT_RESUME_GRACE_SECONDS = 20;
// Messages queued while reconnecting are dropped beyond this count.
const MAX_QUEUED_MESSAGES = 100;
// Types never queued while reconnecting. A ping is only for the current socket. The server drops
// the pending subscriber offer when the socket drops and sends a new one after the resume, so an
// answer to the old offer must not reach it.
const UNQUEUED_TYPES = new Set(['ping', 'subscriber_answer']);

/** The reason a connection attempt or a session ended, with a protocol error code when known. */
export class SignalingError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/**
 * A WebSocket session with Chorus.
 *
 * Events: `message` (detail: a server message other than `pong`) and `status` (detail:
 * `{status, reason}` with status `connected`, `reconnecting` or `closed`).
 */
export class SignalingClient extends EventTarget {
  /** `rtcURL` is the ws:// or wss:// URL of `/v1/rtc`; the token and resume token are added to it. */
  constructor(rtcURL, token) {
    super();
    this.rtcURL = rtcURL;
    this.token = token;
    this.socket = null;
    this.status = 'idle';
    this.resumeToken = null;
    this.resumeGraceSeconds = DEFAULT_RESUME_GRACE_SECONDS;
    this.resumeCount = 0;
    this.finished = false;
    this.queue = [];
    this.nextPingID = 1;
    this.lastReceivedAt = 0;
    this.pingTimer = null;
    this.retryTimer = null;
    this.resumeDeadline = 0;
    this.retryDelay = FIRST_RETRY_DELAY_MS;
  }

  /**
   * Opens the first connection and resolves with the `joined` message. Rejects with a
   * SignalingError when the server replies `error` or closes the socket before `joined`.
   */
  connect() {
    return new Promise((resolve, reject) => {
      this.openSocket(null, resolve, reject);
    });
  }

  /** Sends one message and returns true, or queues it until the connection is resumed and returns false. */
  send(message) {
    if (this.finished) return false;
    if (this.socket && this.socket.readyState === WebSocket.OPEN && this.status === 'connected') {
      this.socket.send(JSON.stringify(message));
      return true;
    }
    if (!UNQUEUED_TYPES.has(message.type) && this.queue.length < MAX_QUEUED_MESSAGES) {
      this.queue.push(message);
    }
    return false;
  }

  /** Sends `leave` and closes the socket; the server ends the session at once. */
  leave() {
    if (this.finished) return;
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify({ type: 'leave' }));
    }
    this.finish('left');
    if (this.socket) this.socket.close(1000, 'leave');
    this.setStatus('closed', 'left');
  }

  /**
   * Closes the socket without `leave`, as a network failure would; the client then resumes.
   * Tests use it to exercise the resume path.
   */
  dropConnection() {
    const socket = this.socket;
    if (!socket || this.finished) return;
    // Forget the socket first: closing a half-open connection can take long to fire `close`.
    this.socket = null;
    this.stopPinging();
    socket.close(4000, 'dropped by the client');
    this.scheduleResume();
  }

  openSocket(resumeToken, resolve, reject) {
    let url = `${this.rtcURL}?access_token=${encodeURIComponent(this.token)}`;
    if (resumeToken) url += `&resume=${encodeURIComponent(resumeToken)}`;
    const socket = new WebSocket(url);
    this.socket = socket;
    let joined = false;
    let failure = null;

    socket.addEventListener('open', () => {
      this.lastReceivedAt = Date.now();
    });

    socket.addEventListener('message', (event) => {
      if (socket !== this.socket) return;
      this.lastReceivedAt = Date.now();
      let message;
      try {
        message = JSON.parse(event.data);
      } catch (error) {
        console.warn('chorus: ignoring a signaling message that is not JSON', event.data);
        return;
      }
      if (!message || typeof message.type !== 'string') return;
      if (message.type === 'pong') return;

      if (message.type === 'joined') {
        joined = true;
        this.onJoined(message, resumeToken !== null);
        if (resolve) resolve(message);
        resolve = null;
        reject = null;
      } else if (message.type === 'error' && !joined) {
        failure = new SignalingError(message.code || 'internal', message.message || 'the server rejected the join');
      } else if (message.type === 'leave') {
        this.finish(message.reason || 'left');
      }
      this.dispatchEvent(new CustomEvent('message', { detail: message }));
      // The server closes the socket after `leave`; closing it here too ends the session even if it does not.
      if (message.type === 'leave') socket.close(1000, 'leave');
    });

    socket.addEventListener('close', (event) => {
      if (socket !== this.socket) return;
      this.stopPinging();
      if (this.finished) {
        this.setStatus('closed', this.finishReason);
        return;
      }
      if (!joined && reject) {
        // The first connection never reached `joined`: report why, and do not retry.
        this.finish('failed');
        this.setStatus('closed', 'failed');
        reject(failure || new SignalingError('connection_failed', describeClose(event)));
        return;
      }
      if (!joined && failure) {
        // The server rejected the resume token itself, so retrying cannot help.
        this.finish('resume_failed');
        this.setStatus('closed', 'resume_failed');
        return;
      }
      this.scheduleResume();
    });
  }

  onJoined(message, resumed) {
    if (typeof message.resumeToken === 'string') this.resumeToken = message.resumeToken;
    if (typeof message.resumeGraceSeconds === 'number' && message.resumeGraceSeconds > 0) {
      this.resumeGraceSeconds = message.resumeGraceSeconds;
    }
    if (resumed) this.resumeCount += 1;
    this.retryDelay = FIRST_RETRY_DELAY_MS;
    this.resumeDeadline = 0;
    this.setStatus('connected', resumed ? 'resumed' : 'joined');
    this.startPinging();

    const queued = this.queue;
    this.queue = [];
    for (const queuedMessage of queued) this.send(queuedMessage);
  }

  scheduleResume() {
    if (!this.resumeToken) {
      this.finish('failed');
      this.setStatus('closed', 'failed');
      return;
    }
    const now = Date.now();
    if (this.resumeDeadline === 0) {
      this.resumeDeadline = now + this.resumeGraceSeconds * 1000;
    }
    if (now + this.retryDelay > this.resumeDeadline) {
      this.finish('timeout');
      this.setStatus('closed', 'timeout');
      return;
    }
    this.setStatus('reconnecting', 'connection lost');
    const delay = this.retryDelay;
    this.retryDelay = Math.min(this.retryDelay * 2, MAX_RETRY_DELAY_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.finished) this.openSocket(this.resumeToken, null, null);
    }, delay);
  }

  startPinging() {
    this.stopPinging();
    this.pingTimer = setInterval(() => {
      if (Date.now() - this.lastReceivedAt > SILENCE_TIMEOUT_MS) {
        console.warn('chorus: no signaling message for', SILENCE_TIMEOUT_MS, 'ms; reconnecting');
        this.dropConnection();
        return;
      }
      this.send({ type: 'ping', id: this.nextPingID++ });
    }, PING_INTERVAL_MS);
  }

  stopPinging() {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }

  finish(reason) {
    if (this.finished) return;
    this.finished = true;
    this.finishReason = reason;
    this.queue = [];
    this.stopPinging();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  setStatus(status, reason) {
    if (this.status === status && status !== 'connected') return;
    this.status = status;
    this.dispatchEvent(new CustomEvent('status', { detail: { status, reason } }));
  }
}

function describeClose(event) {
  const reason = event.reason ? `: ${event.reason}` : '';
  if (event.code === 1006) {
    return 'could not connect to the signaling server (the token may be invalid or expired, or the server is down)';
  }
  return `the signaling server closed the connection (code ${event.code}${reason})`;
}
