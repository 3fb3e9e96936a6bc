// The subscriber peer connection (docs/signaling.md), where Chorus offers everyone else's
// tracks and the client answers.

import { RTC_CONFIGURATION, waitForIceGathering } from './publisher.js';

/**
 * The subscriber connection: answers each `subscriber_offer` and maps every receiving
 * transceiver, by mid, to the track sid and participant listed in that offer.
 *
 * Events: `change` after each answered offer or connection state change; `error` (detail:
 * an Error) when an offer cannot be applied.
 */
export class Subscriber extends EventTarget {
  constructor(signaling) {
    super();
    this.signaling = signaling;
    this.pc = null;
    this.offers = Promise.resolve();
    this.remote = new Map();
  }

  peerConnection() {
    if (!this.pc) {
      this.pc = new RTCPeerConnection(RTC_CONFIGURATION);
      this.pc.addEventListener('connectionstatechange', () => this.dispatchEvent(new Event('change')));
    }
    return this.pc;
  }

  handleOffer(message) {
    this.offers = this.offers
      .then(() => this.answer(message))
      .catch((error) => {
        console.error('chorus: cannot answer subscriber_offer', error);
        this.dispatchEvent(new CustomEvent('error', { detail: error }));
      });
  }

  async answer(message) {
    if (typeof message.sdp !== 'string') throw new Error('subscriber_offer has no sdp');
    const pc = this.peerConnection();
    await pc.setRemoteDescription({ type: 'offer', sdp: message.sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    this.mapTracks(Array.isArray(message.tracks) ? message.tracks : []);
    await waitForIceGathering(pc);
    this.signaling.send({ type: 'subscriber_answer', sdp: pc.localDescription.sdp });
  }

  mapTracks(offered) {
    const byMid = new Map();
    for (const item of offered) {
      if (item && item.mid !== undefined && typeof item.trackSid === 'string') byMid.set(String(item.mid), item);
    }
    const remote = new Map();
    for (const transceiver of this.pc.getTransceivers()) {
      const item = transceiver.mid === null ? undefined : byMid.get(transceiver.mid);
      const direction = transceiver.currentDirection;
      if (!item || (direction !== 'recvonly' && direction !== 'sendrecv')) continue;
      const track = transceiver.receiver.track;
      remote.set(transceiver.mid, {
        mid: transceiver.mid,
        trackSid: item.trackSid,
        participant: String(item.participant),
        kind: track.kind,
        track,
      });
    }
    this.remote = remote;
    this.dispatchEvent(new Event('change'));
  }

  /** Returns one entry per inbound RTP stream, labelled with its track sid and participant. */
  async inboundStats() {
    if (!this.pc) return [];
    const report = await this.pc.getStats();
    const entries = [];
    report.forEach((stats) => {
      if (stats.type !== 'inbound-rtp') return;
      let remote = stats.mid !== undefined ? this.remote.get(String(stats.mid)) : undefined;
      if (!remote) remote = [...this.remote.values()].find((item) => item.track.id === stats.trackIdentifier);
      entries.push({
        mid: stats.mid === undefined ? null : String(stats.mid),
        trackSid: remote ? remote.trackSid : null,
        participant: remote ? remote.participant : null,
        kind: stats.kind,
        packetsReceived: stats.packetsReceived || 0,
        bytesReceived: stats.bytesReceived || 0,
        packetsLost: stats.packetsLost || 0,
        framesDecoded: stats.framesDecoded || 0,
        frameWidth: stats.frameWidth || 0,
        frameHeight: stats.frameHeight || 0,
      });
    });
    return entries;
  }

  close() {
    this.remote = new Map();
    if (this.pc) this.pc.close();
  }
}
