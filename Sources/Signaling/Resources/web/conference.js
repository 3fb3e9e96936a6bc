// One participant's session in a room: signaling, both peer connections, local media,
// the room's participants and the chat history.

import { SignalingClient, SignalingError } from './signaling.js';
import { Publisher } from './publisher.js';
import { Subscriber } from './subscriber.js';
import { openCamera, openCameraAndMicrophone, openMicrophone, openScreen } from './media.js';

// The server accepts chat payloads of at most 16 KiB.
const MAX_CHAT_PAYLOAD_BYTES = 16 * 1024;
const MAX_CHAT_HISTORY = 500;

/** Reasons of the `leave` message, as sentences for the page. */
const LEAVE_REASONS = {
  left: 'You left the room.',
  kicked: 'You were removed from the room.',
  room_deleted: 'The room was closed.',
  duplicate_identity: 'You joined this room from another tab or device, so this one was disconnected.',
  server_shutdown: 'The server is shutting down.',
  timeout: 'The connection was lost and could not be resumed.',
  resume_failed: 'The connection was lost and the server did not accept the resume.',
  failed: 'The connection to the server failed.',
};

export function describeLeaveReason(reason) {
  return LEAVE_REASONS[reason] || `You are no longer in the room (${reason}).`;
}

/** Returns the ws:// or wss:// URL of the signaling endpoint on the page's own server. */
export function signalingURL() {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/v1/rtc`;
}

/**
 * Fetches a join token from a server in development mode. Throws a SignalingError with code
 * `token_required` when the server has no such endpoint (it runs without `--dev`).
 */
export async function fetchDevToken(room, identity, name) {
  const query = new URLSearchParams({ room, identity, name });
  let response;
  try {
    response = await fetch(`/v1/dev/token?${query}`, { cache: 'no-store' });
  } catch (error) {
    throw new SignalingError('connection_failed', `Could not reach the server: ${error.message}`);
  }
  if (response.status === 404) {
    throw new SignalingError(
      'token_required',
      'This server needs an access token to join. Ask the organizer for a link that contains one, ' +
        'or paste the token under "Access token".',
    );
  }
  const body = await response.json().catch(() => null);
  if (!response.ok || !body || typeof body.token !== 'string') {
    const detail = body && body.error && body.error.message ? body.error.message : `HTTP ${response.status}`;
    throw new SignalingError('token_failed', `Could not get a join token: ${detail}`);
  }
  return body.token;
}

function participantFromJSON(json) {
  const tracks = new Map();
  for (const track of Array.isArray(json.tracks) ? json.tracks : []) {
    if (track && typeof track.sid === 'string') tracks.set(track.sid, { ...track });
  }
  return { identity: String(json.identity), sid: json.sid || '', name: json.name || '', tracks };
}

/**
 * A joined (or joining) participant.
 *
 * Events:
 * - `change` whenever anything shown on the page changes,
 * - `chat` with a chat entry as detail,
 * - `notice` with a sentence for the user as detail,
 * - `ended` with `{reason}` as detail, once, when the session is over.
 */
export class Conference extends EventTarget {
  constructor({ room, name, identity, token, cameraSize }) {
    super();
    this.room = room;
    this.name = name;
    this.identity = identity;
    this.token = token;
    this.cameraSize = cameraSize;
    this.status = 'joining';
    this.hasJoined = false;
    this.error = null;
    this.endReason = null;
    this.self = null;
    this.roomInfo = null;
    this.participants = new Map();
    this.speakers = [];
    this.chat = [];
    this.departures = [];
    this.signaling = null;
    this.publisher = null;
    this.subscriber = null;
  }

  /** Opens local media, connects and publishes. Throws a SignalingError when the join fails. */
  async join() {
    const media = await openCameraAndMicrophone(this.cameraSize);
    for (const problem of media.problems) this.notice(problem);

    this.signaling = new SignalingClient(signalingURL(), this.token);
    this.signaling.addEventListener('message', (event) => this.handleMessage(event.detail));
    this.signaling.addEventListener('status', (event) => this.handleStatus(event.detail));
    this.createPeers();

    try {
      await this.signaling.connect();
    } catch (error) {
      if (media.audio) media.audio.stop();
      if (media.video) media.video.stop();
      this.status = 'failed';
      this.error = { code: error.code || 'connection_failed', message: error.message };
      this.changed();
      throw error;
    }

    if (media.audio) this.publisher.addTrack('microphone', media.audio);
    if (media.video) this.publisher.addTrack('camera', media.video);
    if (media.audio || media.video) this.publishChanges();
  }

  createPeers() {
    this.publisher = new Publisher(this.signaling);
    this.subscriber = new Subscriber(this.signaling);
    this.publisher.addEventListener('change', () => this.changed());
    this.subscriber.addEventListener('change', () => this.changed());
    this.subscriber.addEventListener('error', (event) => this.notice(`Receiving media failed: ${event.detail.message}`));
  }

  /**
   * Starts both peer connections afresh and publishes the same local tracks again. The server
   * joins a participant anew when it cannot resume the old session (after the grace period or a
   * server restart), and then it has no state for the old connections.
   */
  restartPeers() {
    const tracks = this.publisher.detachTracks();
    this.publisher.close();
    this.subscriber.close();
    this.createPeers();
    for (const { source, track, muted } of tracks) this.publisher.addTrack(source, track, muted);
    if (tracks.length > 0) this.publishChanges();
  }

  publishChanges() {
    this.publisher.publish().catch((error) => {
      if (this.status === 'ended' || error.code === 'closed') return;
      if (error.code === 'not_allowed') {
        this.notice('Your token does not allow publishing, so others cannot see or hear you.');
      } else {
        this.notice(`Publishing failed: ${error.message}`);
      }
    });
  }

  handleMessage(message) {
    switch (message.type) {
      case 'joined':
        this.onJoined(message);
        break;
      case 'publish_answer':
        this.publisher.handleAnswer(message);
        break;
      case 'subscriber_offer':
        this.subscriber.handleOffer(message);
        break;
      case 'participant_joined':
        if (message.participant && message.participant.identity !== this.identity) {
          const participant = participantFromJSON(message.participant);
          this.participants.set(participant.identity, participant);
        }
        break;
      case 'participant_left':
        if (this.participants.delete(String(message.identity))) {
          this.departures.push({ identity: String(message.identity), reason: message.reason || '' });
        }
        break;
      case 'track_published': {
        const participant = this.participants.get(String(message.identity));
        if (participant && message.track && typeof message.track.sid === 'string') {
          participant.tracks.set(message.track.sid, { ...message.track });
        }
        break;
      }
      case 'track_unpublished': {
        const participant = this.participants.get(String(message.identity));
        if (participant) participant.tracks.delete(message.trackSid);
        break;
      }
      case 'track_muted': {
        const participant = this.participants.get(String(message.identity));
        const track = participant && participant.tracks.get(message.trackSid);
        if (track) track.muted = Boolean(message.muted);
        break;
      }
      case 'active_speakers':
        this.speakers = Array.isArray(message.speakers) ? message.speakers.filter((s) => s && s.identity) : [];
        break;
      case 'chat':
        this.onChat(message);
        return;
      case 'error':
        this.onError(message);
        return;
      case 'leave':
        this.endReason = message.reason || 'left';
        return;
      default:
        return;
    }
    this.changed();
  }

  onJoined(message) {
    const resumed = this.hasJoined;
    this.hasJoined = true;
    const previousSid = this.self ? this.self.sid : '';
    this.self = message.participant ? participantFromJSON(message.participant) : this.self;
    if (this.self) this.identity = this.self.identity;
    if (this.self && this.self.name) this.name = this.self.name;
    this.roomInfo = message.room || this.roomInfo;
    if (this.roomInfo && this.roomInfo.name) this.room = this.roomInfo.name;

    const current = new Map();
    for (const json of Array.isArray(message.participants) ? message.participants : []) {
      const participant = participantFromJSON(json);
      if (participant.identity !== this.identity) current.set(participant.identity, participant);
    }
    if (resumed) {
      for (const identity of this.participants.keys()) {
        if (!current.has(identity)) this.departures.push({ identity, reason: 'left while reconnecting' });
      }
      if (previousSid && this.self && this.self.sid !== previousSid) {
        console.warn('chorus: the server joined this participant afresh instead of resuming; publishing again');
        this.restartPeers();
      } else {
        this.publisher.resendPendingOffer();
      }
    }
    this.participants = current;
    this.status = 'connected';
    this.changed();
  }

  onChat(message) {
    const from = String(message.from || '');
    // The sender already shows its own message; ignore an echo should the server send one.
    if (from === this.identity) return;
    const entry = {
      from,
      name: this.displayName(from),
      text: chatText(message.payload),
      timestamp: typeof message.timestamp === 'number' ? message.timestamp : Date.now(),
      local: false,
    };
    this.addChat(entry);
  }

  onError(message) {
    if (message.request === 'publish' && this.publisher.handleError(message)) return;
    const text = message.message || message.code || 'unknown error';
    if (message.request === 'chat') {
      this.notice(`The chat message was not sent: ${text}`);
    } else {
      this.notice(`Server error: ${text}`);
    }
  }

  handleStatus({ status, reason }) {
    if (status === 'reconnecting') {
      this.status = 'reconnecting';
      this.changed();
    } else if (status === 'closed' && this.hasJoined) {
      this.end(this.endReason || reason || 'left');
    }
  }

  end(reason) {
    if (this.status === 'ended') return;
    this.status = 'ended';
    this.endReason = reason;
    this.publisher.close();
    this.subscriber.close();
    this.changed();
    this.dispatchEvent(new CustomEvent('ended', { detail: { reason } }));
  }

  /** Leaves the room: sends `leave`, closes both connections and stops local media. */
  leave() {
    if (!this.signaling || this.status === 'ended' || this.status === 'failed') return;
    this.endReason = 'left';
    this.signaling.leave();
  }

  /** Closes the WebSocket without `leave`, as a network failure would. */
  dropConnection() {
    if (this.signaling) this.signaling.dropConnection();
  }

  /** Sends a chat message to everyone in the room; returns false if it is empty or too long. */
  sendChat(text) {
    const trimmed = String(text).trim();
    if (!trimmed || !this.signaling || this.status === 'ended') return false;
    const payload = JSON.stringify({ text: trimmed });
    if (new TextEncoder().encode(payload).length > MAX_CHAT_PAYLOAD_BYTES) {
      this.notice('The message is too long (16 KiB at most).');
      return false;
    }
    this.signaling.send({ type: 'chat', payload });
    this.addChat({ from: this.identity, name: this.name, text: trimmed, timestamp: Date.now(), local: true });
    return true;
  }

  addChat(entry) {
    this.chat.push(entry);
    if (this.chat.length > MAX_CHAT_HISTORY) this.chat.shift();
    this.dispatchEvent(new CustomEvent('chat', { detail: entry }));
  }

  /** Mutes or unmutes `source` (`microphone` or `camera`); returns false if it is not published. */
  setMuted(source, muted) {
    return this.publisher ? this.publisher.setMuted(source, muted) : false;
  }

  isMuted(source) {
    return this.publisher ? this.publisher.isMuted(source) : true;
  }

  /**
   * Unmutes the camera or microphone, opening and publishing the device first if it was not
   * available at join time.
   */
  async toggle(source) {
    if (this.publisher.has(source)) {
      this.setMuted(source, !this.isMuted(source));
      return;
    }
    const track = source === 'camera' ? await openCamera(null, this.cameraSize) : await openMicrophone(null);
    this.publisher.addTrack(source, track);
    this.publishChanges();
    this.changed();
  }

  /** Switches `source` (`camera` or `microphone`) to another device, keeping its mute state. */
  async switchDevice(source, deviceId) {
    const track = source === 'camera' ? await openCamera(deviceId, this.cameraSize) : await openMicrophone(deviceId);
    if (this.publisher.has(source)) {
      await this.publisher.replaceTrack(source, track);
    } else {
      this.publisher.addTrack(source, track);
      this.publishChanges();
    }
    this.changed();
  }

  isSharingScreen() {
    return this.publisher ? this.publisher.has('screen_share') : false;
  }

  /** Publishes a screen (and its audio, if the user shared some) as new tracks. */
  async startScreenShare() {
    if (this.isSharingScreen()) return;
    const { video, audio } = await openScreen();
    if (!video) return;
    video.addEventListener('ended', () => this.stopScreenShare());
    this.publisher.addTrack('screen_share', video);
    if (audio) this.publisher.addTrack('screen_share_audio', audio);
    this.publishChanges();
    this.changed();
  }

  stopScreenShare() {
    if (!this.publisher || this.status === 'ended') return;
    const removedVideo = this.publisher.removeTrack('screen_share');
    const removedAudio = this.publisher.removeTrack('screen_share_audio');
    if (removedVideo || removedAudio) this.publishChanges();
    this.changed();
  }

  displayName(identity) {
    if (identity === this.identity) return this.name || identity;
    const participant = this.participants.get(identity);
    return (participant && participant.name) || identity;
  }

  /** Returns the remote tracks being received, with the source and mute state the server announced. */
  remoteTracks() {
    if (!this.subscriber) return [];
    return [...this.subscriber.remote.values()].map((remote) => {
      const participant = this.participants.get(remote.participant);
      const info = participant && participant.tracks.get(remote.trackSid);
      if (info) return { ...remote, source: info.source, muted: Boolean(info.muted) };
      // Not announced yet: assume the usual source for the kind.
      const source = remote.kind === 'audio' ? 'microphone' : 'camera';
      return { ...remote, source, muted: false };
    });
  }

  notice(text) {
    this.dispatchEvent(new CustomEvent('notice', { detail: text }));
  }

  changed() {
    this.dispatchEvent(new Event('change'));
  }

  /** Returns the test-facing state: plain data, safe to serialize as JSON. */
  snapshot() {
    const speaking = new Set(this.speakers.map((speaker) => speaker.identity));
    return {
      status: this.status,
      joined: this.status === 'connected' || this.status === 'reconnecting',
      reconnecting: this.status === 'reconnecting',
      room: this.room,
      identity: this.identity,
      name: this.name,
      error: this.error,
      leftReason: this.status === 'ended' ? this.endReason : null,
      resumeCount: this.signaling ? this.signaling.resumeCount : 0,
      participants: [...this.participants.values()].map((participant) => ({
        identity: participant.identity,
        sid: participant.sid,
        name: participant.name,
        speaking: speaking.has(participant.identity),
        tracks: [...participant.tracks.values()].map(({ sid, kind, source, muted }) => ({ sid, kind, source, muted })),
      })),
      remoteTracks: this.remoteTracks().map(({ mid, trackSid, participant, kind, source, muted, track }) => ({
        mid,
        trackSid,
        participant,
        kind,
        source,
        muted,
        readyState: track.readyState,
      })),
      localTracks: this.publisher ? this.publisher.snapshot() : [],
      activeSpeakers: this.speakers.map(({ identity, level }) => ({ identity, level })),
      chat: this.chat.map(({ from, name, text, timestamp }) => ({ from, name, text, timestamp })),
      departures: this.departures.slice(),
      publisherState: this.publisher && this.publisher.pc ? this.publisher.pc.connectionState : 'new',
      subscriberState: this.subscriber && this.subscriber.pc ? this.subscriber.pc.connectionState : 'new',
    };
  }
}

/** Returns the text of a chat payload: the `text` of a JSON object, or the payload itself. */
function chatText(payload) {
  if (typeof payload !== 'string') return '';
  try {
    const value = JSON.parse(payload);
    if (value && typeof value.text === 'string') return value.text;
  } catch (error) {
    // Another client may send plain text; show it as is.
  }
  return payload;
}
