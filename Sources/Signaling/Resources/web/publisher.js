// The publisher peer connection (docs/signaling.md), where the client offers its own tracks
// and Chorus answers, plus what both peer connections share.

import { simulcastEncodings, simulcastLayers } from './media.js';

// No STUN or TURN server is configured. Chorus is ICE-lite with host candidates, so the client's
// host candidates, or the peer-reflexive ones the server learns from connectivity checks, suffice.
export const RTC_CONFIGURATION = { iceServers: [] };
const ICE_GATHERING_TIMEOUT_MS = 2_000;
// Long enough to cover a resume within the default grace period, when the offer waits in the queue.
const PUBLISH_ANSWER_TIMEOUT_MS = 30_000;

/** Resolves when ICE gathering is complete, or after `timeoutMs` with what was gathered so far. */
export function waitForIceGathering(pc, timeoutMs = ICE_GATHERING_TIMEOUT_MS) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      pc.removeEventListener('icegatheringstatechange', check);
      resolve();
    };
    const check = () => {
      if (pc.iceGatheringState === 'complete') done();
    };
    const timer = setTimeout(done, timeoutMs);
    pc.addEventListener('icegatheringstatechange', check);
  });
}

/** An `error` reply from the server to one of our requests. */
export class RequestError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/**
 * The publisher connection and the local tracks sent on it, one per source
 * (`microphone`, `camera`, `screen_share`, `screen_share_audio`).
 *
 * Events: `change` after track sids or the connection state change.
 */
export class Publisher extends EventTarget {
  constructor(signaling) {
    super();
    this.signaling = signaling;
    this.pc = null;
    this.entries = new Map();
    this.negotiation = Promise.resolve();
    this.pendingAnswer = null;
  }

  peerConnection() {
    if (!this.pc) {
      this.pc = new RTCPeerConnection(RTC_CONFIGURATION);
      this.pc.addEventListener('connectionstatechange', () => this.dispatchEvent(new Event('change')));
    }
    return this.pc;
  }

  /** Adds a sending transceiver for `track` under `source`; call `publish()` afterwards. */
  addTrack(source, track, muted = false) {
    const pc = this.peerConnection();
    const init = { direction: 'sendonly' };
    let layers = null;
    if (source === 'camera') {
      init.sendEncodings = simulcastEncodings();
      layers = simulcastLayers(track);
    }
    track.enabled = !muted;
    const transceiver = pc.addTransceiver(track, init);
    this.entries.set(source, {
      source,
      kind: track.kind,
      track,
      transceiver,
      layers,
      sid: null,
      muted,
      announcedMuted: muted,
    });
  }

  has(source) {
    return this.entries.has(source);
  }

  track(source) {
    const entry = this.entries.get(source);
    return entry ? entry.track : null;
  }

  isMuted(source) {
    const entry = this.entries.get(source);
    return entry ? entry.muted : true;
  }

  /** Sends a new `publish` offer once every earlier one is answered; resolves after the answer is applied. */
  publish() {
    const run = this.negotiation.then(() => this.negotiate());
    this.negotiation = run.catch(() => {});
    return run;
  }

  async negotiate() {
    const pc = this.peerConnection();
    await pc.setLocalDescription(await pc.createOffer());
    await waitForIceGathering(pc);
    const tracks = this.trackInfos();
    let answer;
    try {
      answer = await this.exchange({ type: 'publish', sdp: pc.localDescription.sdp, tracks });
    } catch (error) {
      // Back to the last agreed state, so the next publish offers these tracks again.
      await pc.setLocalDescription({ type: 'rollback' }).catch(() => {});
      throw error;
    }
    await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    this.applyAnswerTracks(Array.isArray(answer.tracks) ? answer.tracks : []);
  }

  trackInfos() {
    const infos = [];
    for (const entry of this.entries.values()) {
      const mid = entry.transceiver.mid;
      if (mid === null || entry.transceiver.currentDirection === 'stopped') continue;
      const info = { mid, kind: entry.kind, source: entry.source, muted: entry.muted };
      if (entry.layers) info.layers = entry.layers;
      entry.announcedMuted = entry.muted;
      infos.push(info);
    }
    return infos;
  }

  exchange(message) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pendingAnswer = null;
        reject(new RequestError('timeout', `no publish_answer within ${PUBLISH_ANSWER_TIMEOUT_MS / 1000} s`));
      }, PUBLISH_ANSWER_TIMEOUT_MS);
      const settle = (callback) => (value) => {
        clearTimeout(timer);
        this.pendingAnswer = null;
        callback(value);
      };
      this.pendingAnswer = { message, resolve: settle(resolve), reject: settle(reject), sent: false };
      this.pendingAnswer.sent = this.signaling.send(message);
    });
  }

  handleAnswer(message) {
    if (!this.pendingAnswer) {
      console.warn('chorus: publish_answer without a pending publish; ignored');
      return;
    }
    this.pendingAnswer.resolve(message);
  }

  /** Fails the pending publish; returns false when there was none. */
  handleError(message) {
    if (!this.pendingAnswer) return false;
    this.pendingAnswer.reject(new RequestError(message.code || 'internal', message.message || 'publish failed'));
    return true;
  }

  /** Sends the pending offer again after a resume, because its answer may have been lost in the drop. */
  resendPendingOffer() {
    if (this.pendingAnswer && this.pendingAnswer.sent) this.signaling.send(this.pendingAnswer.message);
  }

  applyAnswerTracks(tracks) {
    for (const track of tracks) {
      if (!track || typeof track.sid !== 'string') continue;
      for (const entry of this.entries.values()) {
        if (entry.transceiver.mid !== null && entry.transceiver.mid === String(track.mid)) entry.sid = track.sid;
      }
    }
    // A mute that happened while the offer was on its way has not reached the server yet.
    for (const entry of this.entries.values()) {
      if (entry.sid && entry.muted !== entry.announcedMuted) this.sendMute(entry);
    }
    this.dispatchEvent(new Event('change'));
  }

  setMuted(source, muted) {
    const entry = this.entries.get(source);
    if (!entry) return false;
    entry.muted = muted;
    entry.track.enabled = !muted;
    if (entry.sid) this.sendMute(entry);
    this.dispatchEvent(new Event('change'));
    return true;
  }

  sendMute(entry) {
    entry.announcedMuted = entry.muted;
    this.signaling.send({ type: 'mute', trackSid: entry.sid, muted: entry.muted });
  }

  /** Sends `track` in place of the current one for `source`, without renegotiating. */
  async replaceTrack(source, track) {
    const entry = this.entries.get(source);
    if (!entry) throw new Error(`no ${source} track to replace`);
    track.enabled = !entry.muted;
    await entry.transceiver.sender.replaceTrack(track);
    const previous = entry.track;
    entry.track = track;
    if (previous !== track) previous.stop();
    this.dispatchEvent(new Event('change'));
  }

  /** Stops sending `source`: sends `unpublish` and stops the transceiver; call `publish()` afterwards. */
  removeTrack(source) {
    const entry = this.entries.get(source);
    if (!entry) return false;
    this.entries.delete(source);
    if (entry.sid) this.signaling.send({ type: 'unpublish', trackSid: entry.sid });
    entry.track.stop();
    entry.transceiver.stop();
    this.dispatchEvent(new Event('change'));
    return true;
  }

  /** Returns one entry per outbound RTP stream (one per simulcast layer), labelled with its source. */
  async outboundStats() {
    if (!this.pc) return [];
    const sources = new Map([...this.entries.values()].map((entry) => [entry.transceiver.mid, entry.source]));
    const report = await this.pc.getStats();
    const entries = [];
    report.forEach((stats) => {
      if (stats.type !== 'outbound-rtp') return;
      entries.push({
        mid: stats.mid === undefined ? null : String(stats.mid),
        source: sources.get(stats.mid === undefined ? null : String(stats.mid)) || null,
        rid: stats.rid || null,
        kind: stats.kind,
        packetsSent: stats.packetsSent || 0,
        framesEncoded: stats.framesEncoded || 0,
        frameWidth: stats.frameWidth || 0,
        frameHeight: stats.frameHeight || 0,
        active: stats.active !== false,
        qualityLimitationReason: stats.qualityLimitationReason || null,
      });
    });
    return entries;
  }

  /** Removes every local track from this publisher without stopping it, for use by a new publisher. */
  detachTracks() {
    const tracks = [...this.entries.values()].map(({ source, track, muted }) => ({ source, track, muted }));
    this.entries.clear();
    return tracks;
  }

  snapshot() {
    return [...this.entries.values()].map((entry) => ({
      source: entry.source,
      kind: entry.kind,
      mid: entry.transceiver.mid,
      sid: entry.sid,
      muted: entry.muted,
    }));
  }

  close() {
    for (const entry of this.entries.values()) entry.track.stop();
    this.entries.clear();
    if (this.pendingAnswer) this.pendingAnswer.reject(new RequestError('closed', 'the session ended'));
    if (this.pc) this.pc.close();
  }
}
