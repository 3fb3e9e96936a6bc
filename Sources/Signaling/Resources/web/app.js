// Entry point of the Chorus web client: the join form, the call view, and `window.chorus`,
// a small hook that lets automated tests read the state and drive the call.
//
// URL parameters: `room` and `name` join the room at once. `token` supplies an access token,
// which a server in development mode issues when it is missing. `resolution` (such as `640x360`)
// sets the camera capture size.

import { Conference, describeLeaveReason, fetchDevToken } from './conference.js';
import { describeMediaError, listDevices, parseResolution } from './media.js';
import { AudioSink, ChatLog, TileGrid } from './ui.js';

// Room names the server accepts: 1 to 128 letters, digits, '-', '_' or '.'.
const ROOM_NAME_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;
const MAX_NAME_LENGTH = 64;
const NOTICE_DURATION_MS = 6_000;
const IDENTITY_STORAGE_KEY = 'chorus.identity';

const element = (id) => document.getElementById(id);
const view = {
  join: element('join-view'),
  joinForm: element('join-form'),
  roomInput: element('room-input'),
  nameInput: element('name-input'),
  tokenDetails: element('token-details'),
  tokenInput: element('token-input'),
  joinMessage: element('join-message'),
  joinButton: element('join-button'),
  call: element('call-view'),
  roomLabel: element('room-label'),
  participantCount: element('participant-count'),
  banner: element('banner'),
  notices: element('notices'),
  soundButton: element('sound-button'),
  chatPanel: element('chat-panel'),
  chatLog: element('chat-log'),
  chatForm: element('chat-form'),
  chatInput: element('chat-input'),
  chatBadge: element('chat-badge'),
  devicesPanel: element('devices-panel'),
  cameraSelect: element('camera-select'),
  microphoneSelect: element('microphone-select'),
  micButton: element('mic-button'),
  cameraButton: element('camera-button'),
  screenButton: element('screen-button'),
  devicesButton: element('devices-button'),
  chatButton: element('chat-button'),
  leaveButton: element('leave-button'),
  inviteButton: element('invite-button'),
};

const params = new URLSearchParams(location.search);
const cameraSize = parseResolution(params.get('resolution'));
const tiles = new TileGrid(element('tiles'));
const audio = new AudioSink(element('audio-sink'), () => {
  view.soundButton.hidden = false;
});
const chatLog = new ChatLog(view.chatLog);

let conference = null;
let joining = false;
let joinError = null;
let renderScheduled = false;
let unreadChat = 0;

/** Returns this tab's participant identity, made once and kept for reloads of the tab. */
function pageIdentity() {
  let identity = null;
  try {
    identity = sessionStorage.getItem(IDENTITY_STORAGE_KEY);
  } catch (error) {
    // Storage may be disabled; a fresh identity per page load still works.
  }
  if (!identity) {
    const bytes = crypto.getRandomValues(new Uint8Array(6));
    identity = `web-${[...bytes].map((byte) => (byte % 36).toString(36)).join('')}`;
    try {
      sessionStorage.setItem(IDENTITY_STORAGE_KEY, identity);
    } catch (error) {
      // As above: the identity then lasts for this page load only.
    }
  }
  return identity;
}

/** Returns the claims of a JWT without checking it (the server does), or null if unreadable. */
function tokenClaims(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = atob(part.padEnd(part.length + ((4 - (part.length % 4)) % 4), '='));
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
  } catch (error) {
    return null;
  }
}

function describeJoinError(error, room) {
  switch (error.code) {
    case 'room_full':
      return `The room "${room}" is full, so you cannot join it now. ${error.message || ''}`.trim();
    case 'not_allowed':
      return `Your token does not allow joining this room: ${error.message}`;
    default:
      return error.message || String(error);
  }
}

// MARK: joining and leaving

async function join({ room, name, token }) {
  if (joining || (conference && conference.hasJoined && conference.status !== 'ended')) return;
  room = (room || '').trim();
  name = (name || '').trim();
  token = (token || '').trim();
  const claims = token ? tokenClaims(token) : null;
  if (!room && claims && claims.grants && typeof claims.grants.room === 'string') room = claims.grants.room;
  if (!name && claims) name = claims.name || claims.sub || '';

  if (!ROOM_NAME_PATTERN.test(room)) {
    showJoinMessage('Room names are 1 to 128 letters, digits, "-", "_" or ".".', 'error');
    view.roomInput.focus();
    return;
  }
  if (!name || name.length > MAX_NAME_LENGTH) {
    showJoinMessage(`Enter your name (at most ${MAX_NAME_LENGTH} characters).`, 'error');
    view.nameInput.focus();
    return;
  }

  joining = true;
  joinError = null;
  setJoinBusy(true);
  showJoinMessage(null);
  try {
    const identity = (claims && claims.sub) || pageIdentity();
    const joinToken = token || (await fetchDevToken(room, identity, name));
    const session = new Conference({ room, name, identity, token: joinToken, cameraSize });
    conference = session;
    attach(session);
    await session.join();
    if (session.status !== 'ended') showCallView();
  } catch (error) {
    console.warn('chorus: join failed', error);
    joinError = { code: error.code || 'failed', message: error.message || String(error) };
    showJoinMessage(describeJoinError(error, room), 'error');
    if (error.code === 'token_required') view.tokenDetails.open = true;
  } finally {
    joining = false;
    setJoinBusy(false);
  }
}

function attach(session) {
  chatLog.clear();
  unreadChat = 0;
  session.addEventListener('change', scheduleRender);
  session.addEventListener('notice', (event) => showNotice(event.detail));
  session.addEventListener('chat', (event) => {
    chatLog.append(event.detail);
    if (view.chatPanel.hidden && !event.detail.local) unreadChat += 1;
    scheduleRender();
  });
  session.addEventListener('ended', (event) => {
    if (conference !== session) return;
    render();
    view.devicesPanel.hidden = true;
    showJoinView(describeLeaveReason(event.detail.reason), event.detail.reason === 'left' ? 'info' : 'error');
  });
}

function setJoinBusy(busy) {
  view.joinButton.disabled = busy;
  view.joinButton.textContent = busy ? 'Joining…' : 'Join';
}

function showJoinMessage(text, kind = 'info') {
  view.joinMessage.hidden = !text;
  view.joinMessage.textContent = text || '';
  view.joinMessage.dataset.kind = kind;
}

function showJoinView(message, kind) {
  view.call.hidden = true;
  view.join.hidden = false;
  view.joinButton.textContent = 'Join';
  if (message) showJoinMessage(message, kind);
}

function showCallView() {
  view.join.hidden = true;
  view.call.hidden = false;
  scheduleRender();
  tiles.layout();
}

// MARK: rendering

function scheduleRender() {
  if (renderScheduled) return;
  renderScheduled = true;
  setTimeout(() => {
    renderScheduled = false;
    render();
  }, 0);
}

/** Returns the tile models for the call: self first, then everyone else in join order. */
function tileModels(session) {
  const speaking = new Set(session.speakers.map((speaker) => speaker.identity));
  const publisher = session.publisher;
  const models = [];
  if (publisher && session.status !== 'ended') {
    const camera = publisher.track('camera');
    models.push({
      key: 'local:camera',
      identity: session.identity,
      name: session.name,
      label: `${session.name} (you)`,
      source: 'camera',
      local: true,
      videoTrack: camera,
      videoOn: Boolean(camera) && !publisher.isMuted('camera'),
      micMuted: publisher.isMuted('microphone'),
      speaking: speaking.has(session.identity),
    });
    const screen = publisher.track('screen_share');
    if (screen) {
      models.push({
        key: 'local:screen',
        identity: session.identity,
        name: session.name,
        label: 'Your screen',
        source: 'screen_share',
        local: true,
        videoTrack: screen,
        videoOn: true,
        micMuted: null,
        speaking: false,
      });
    }
  }
  const remote = session.remoteTracks();
  for (const participant of session.participants.values()) {
    const mine = remote.filter((track) => track.participant === participant.identity && track.kind === 'video');
    const camera = mine.find((track) => track.source !== 'screen_share');
    const screen = mine.find((track) => track.source === 'screen_share');
    const microphone = [...participant.tracks.values()].find((track) => track.source === 'microphone');
    const name = participant.name || participant.identity;
    models.push({
      key: `${participant.identity}:camera`,
      identity: participant.identity,
      name,
      label: name,
      source: 'camera',
      local: false,
      videoTrack: camera ? camera.track : null,
      videoOn: Boolean(camera) && !camera.muted,
      micMuted: !microphone || Boolean(microphone.muted),
      speaking: speaking.has(participant.identity),
    });
    if (screen) {
      models.push({
        key: `${participant.identity}:screen`,
        identity: participant.identity,
        name,
        label: `${name} (screen)`,
        source: 'screen_share',
        local: false,
        videoTrack: screen.track,
        videoOn: !screen.muted,
        micMuted: null,
        speaking: false,
      });
    }
  }
  return models;
}

function render() {
  const session = conference;
  if (!session) return;
  const ended = session.status === 'ended' || session.status === 'failed';
  tiles.render(ended ? [] : tileModels(session));
  audio.render(ended ? [] : session.remoteTracks().filter((track) => track.kind === 'audio' && !track.muted));

  view.roomLabel.textContent = session.room;
  const count = session.participants.size + 1;
  view.participantCount.textContent = `${count} ${count === 1 ? 'person' : 'people'}`;

  view.banner.hidden = session.status !== 'reconnecting';
  view.banner.textContent = 'Connection lost. Reconnecting…';

  setToggle(view.micButton, session.isMuted('microphone'), 'Unmute microphone', 'Mute microphone');
  setToggle(view.cameraButton, session.isMuted('camera'), 'Turn camera on', 'Turn camera off');
  const sharing = session.isSharingScreen();
  view.screenButton.setAttribute('aria-pressed', String(sharing));
  view.screenButton.title = sharing ? 'Stop sharing your screen' : 'Share your screen';
  view.screenButton.hidden = !(navigator.mediaDevices && navigator.mediaDevices.getDisplayMedia);

  view.chatBadge.hidden = unreadChat === 0;
  view.chatBadge.textContent = unreadChat > 99 ? '99+' : String(unreadChat);
}

function setToggle(button, off, offTitle, onTitle) {
  button.classList.toggle('off', off);
  button.setAttribute('aria-pressed', String(off));
  button.title = off ? offTitle : onTitle;
}

function showNotice(text) {
  const notice = document.createElement('p');
  notice.className = 'notice';
  notice.textContent = text;
  view.notices.append(notice);
  setTimeout(() => notice.remove(), NOTICE_DURATION_MS);
}

// MARK: controls

function reportFailure(action) {
  return (error) => {
    // Cancelling the screen picker rejects with NotAllowedError, which needs no notice.
    if (error && error.name === 'NotAllowedError' && action === 'Screen sharing') return;
    showNotice(`${action} failed: ${describeMediaError(error)}`);
  };
}

async function refreshDeviceLists() {
  const { cameras, microphones } = await listDevices();
  fillSelect(view.cameraSelect, cameras, conference && conference.publisher.track('camera'));
  fillSelect(view.microphoneSelect, microphones, conference && conference.publisher.track('microphone'));
}

function fillSelect(select, devices, track) {
  const current = track ? track.getSettings().deviceId : null;
  select.replaceChildren(
    ...devices.map((device) => {
      const option = document.createElement('option');
      option.value = device.deviceId;
      option.textContent = device.label;
      option.selected = device.deviceId === current;
      return option;
    }),
  );
  select.disabled = devices.length === 0;
}

function toggleChat(open) {
  view.chatPanel.hidden = !open;
  view.chatButton.setAttribute('aria-expanded', String(open));
  if (open) {
    unreadChat = 0;
    view.chatInput.focus();
  }
  render();
  tiles.layout();
}

view.joinForm.addEventListener('submit', (event) => {
  event.preventDefault();
  join({ room: view.roomInput.value, name: view.nameInput.value, token: view.tokenInput.value });
});

view.micButton.addEventListener('click', () => {
  conference.toggle('microphone').then(render, reportFailure('Turning the microphone on'));
});

view.cameraButton.addEventListener('click', () => {
  conference.toggle('camera').then(render, reportFailure('Turning the camera on'));
});

view.screenButton.addEventListener('click', () => {
  if (conference.isSharingScreen()) {
    conference.stopScreenShare();
  } else {
    conference.startScreenShare().catch(reportFailure('Screen sharing'));
  }
});

view.devicesButton.addEventListener('click', () => {
  const open = view.devicesPanel.hidden;
  view.devicesPanel.hidden = !open;
  view.devicesButton.setAttribute('aria-expanded', String(open));
  if (open) refreshDeviceLists().catch(reportFailure('Listing devices'));
});

// A click anywhere outside the open devices panel closes it.
document.addEventListener('click', (event) => {
  if (view.devicesPanel.hidden || view.devicesPanel.contains(event.target)) return;
  if (view.devicesButton.contains(event.target)) return;
  view.devicesPanel.hidden = true;
  view.devicesButton.setAttribute('aria-expanded', 'false');
});

view.cameraSelect.addEventListener('change', () => {
  conference.switchDevice('camera', view.cameraSelect.value).catch(reportFailure('Switching the camera'));
});

view.microphoneSelect.addEventListener('change', () => {
  conference.switchDevice('microphone', view.microphoneSelect.value).catch(reportFailure('Switching the microphone'));
});

view.chatButton.addEventListener('click', () => toggleChat(view.chatPanel.hidden));
element('chat-close').addEventListener('click', () => toggleChat(false));

view.chatForm.addEventListener('submit', (event) => {
  event.preventDefault();
  if (conference && conference.sendChat(view.chatInput.value)) view.chatInput.value = '';
});

view.leaveButton.addEventListener('click', () => conference && conference.leave());

view.inviteButton.addEventListener('click', async () => {
  const link = `${location.origin}${location.pathname}?${new URLSearchParams({ room: conference.room })}`;
  try {
    await navigator.clipboard.writeText(link);
    showNotice('Link copied. Anyone with it can join this room.');
  } catch (error) {
    showNotice(`Share this link: ${link}`);
  }
});

view.soundButton.addEventListener('click', () => {
  view.soundButton.hidden = true;
  audio.resume();
});

navigator.mediaDevices?.addEventListener('devicechange', () => {
  if (!view.devicesPanel.hidden) refreshDeviceLists().catch(() => {});
});

// Leaving on page close frees the seat at once instead of after the resume grace period.
window.addEventListener('pagehide', () => conference && conference.leave());

// MARK: test hook

function idleState() {
  return {
    status: 'idle',
    joined: false,
    reconnecting: false,
    room: view.roomInput.value,
    identity: pageIdentity(),
    name: view.nameInput.value,
    error: null,
    leftReason: null,
    resumeCount: 0,
    participants: [],
    remoteTracks: [],
    localTracks: [],
    activeSpeakers: [],
    chat: [],
    departures: [],
    publisherState: 'new',
    subscriberState: 'new',
  };
}

window.chorus = {
  /** Plain data: status, participants with tracks, remote and local tracks, chat, errors. */
  get state() {
    const state = conference ? conference.snapshot() : idleState();
    state.joining = joining;
    if (joinError) {
      state.error = joinError;
      if (state.status === 'idle') state.status = 'failed';
    }
    return state;
  },
  join: (room, name, token) => join({ room, name, token }),
  leave: () => conference && conference.leave(),
  setMuted: (source, muted) => {
    const done = Boolean(conference && conference.setMuted(source, muted));
    render();
    return done;
  },
  sendChat: (text) => Boolean(conference && conference.sendChat(text)),
  /** Resolves with the inbound RTP statistics of each received track. */
  stats: () => (conference && conference.subscriber ? conference.subscriber.inboundStats() : Promise.resolve([])),
  /** Resolves with the outbound RTP statistics of each sent stream, one per simulcast layer. */
  outboundStats: () =>
    conference && conference.publisher ? conference.publisher.outboundStats() : Promise.resolve([]),
  dropConnection: () => conference && conference.dropConnection(),
};

// MARK: start

view.roomInput.value = params.get('room') || '';
view.nameInput.value = params.get('name') || '';
view.tokenInput.value = params.get('token') || '';
if (view.tokenInput.value) view.tokenDetails.open = true;
if ((params.get('room') && params.get('name')) || params.get('token')) {
  join({ room: params.get('room'), name: params.get('name'), token: params.get('token') });
} else {
  (view.roomInput.value ? view.nameInput : view.roomInput).focus();
}
