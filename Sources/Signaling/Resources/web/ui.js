// Page rendering: the video tile grid, remote audio elements, and the chat log.

const SVG_OPEN = '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">';

/** Small icons drawn for this page, in the style of the control bar icons in index.html. */
export const ICONS = {
  micOff:
    `${SVG_OPEN}<rect x="9" y="3" width="6" height="11" rx="3"/><path d="M5 11a7 7 0 0 0 14 0M12 18v3"/>` +
    '<line x1="4" y1="4" x2="20" y2="20"/></svg>',
};

const TILE_GAP_PX = 8;
const TILE_ASPECT = 16 / 9;

/**
 * Returns the tile width that lets `count` tiles of aspect 16:9 fill a `width` x `height`
 * area best, trying every column count.
 */
export function bestTileWidth(count, width, height) {
  let best = 0;
  for (let columns = 1; columns <= Math.max(1, count); columns += 1) {
    const rows = Math.ceil(count / columns);
    const byWidth = (width - TILE_GAP_PX * (columns - 1)) / columns;
    const byHeight = ((height - TILE_GAP_PX * (rows - 1)) / rows) * TILE_ASPECT;
    best = Math.max(best, Math.min(byWidth, byHeight));
  }
  return Math.max(120, Math.floor(best));
}

function initials(name) {
  const words = String(name).trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return '?';
  const letters = words.length === 1 ? [...words[0]].slice(0, 1) : [[...words[0]][0], [...words[1]][0]];
  return letters.join('').toUpperCase();
}

/** Returns a hue from 0 to 359 derived from `text`, so each participant keeps one avatar colour. */
function hueFor(text) {
  let hash = 0;
  for (const character of String(text)) hash = (hash * 31 + character.codePointAt(0)) >>> 0;
  return hash % 360;
}

/**
 * The grid of participant tiles. `render(tiles)` takes one model per tile:
 * `{key, identity, name, label, source, local, videoTrack, videoOn, micMuted, speaking}`.
 * The caption shows `label`, and the avatar shows the initials of `name`. `micMuted` is null for
 * tiles that show no microphone state (screen shares).
 */
export class TileGrid {
  constructor(container) {
    this.container = container;
    this.elements = new Map();
    this.count = 0;
    new ResizeObserver(() => this.layout()).observe(container);
  }

  render(tiles) {
    const keys = new Set(tiles.map((tile) => tile.key));
    for (const [key, element] of this.elements) {
      if (!keys.has(key)) {
        const video = element.querySelector('video');
        video.srcObject = null;
        element.remove();
        this.elements.delete(key);
      }
    }
    tiles.forEach((tile, index) => {
      let element = this.elements.get(tile.key);
      if (!element) {
        element = createTile(tile);
        this.elements.set(tile.key, element);
      }
      updateTile(element, tile);
      if (this.container.children[index] !== element) {
        this.container.insertBefore(element, this.container.children[index] || null);
      }
    });
    if (tiles.length !== this.count) {
      this.count = tiles.length;
      this.layout();
    }
  }

  layout() {
    const style = getComputedStyle(this.container);
    const width = this.container.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const height = this.container.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
    if (width <= 0 || height <= 0) return;
    this.container.style.setProperty('--tile-width', `${bestTileWidth(this.count, width, height)}px`);
  }
}

function createTile(tile) {
  const element = document.createElement('figure');
  element.className = 'tile';
  element.dataset.identity = tile.identity;
  element.dataset.source = tile.source;

  const video = document.createElement('video');
  video.autoplay = true;
  video.playsInline = true;
  // Sound plays through the separate <audio> elements, never through tiles.
  video.muted = true;

  const avatar = document.createElement('div');
  avatar.className = 'avatar';
  const avatarText = document.createElement('span');
  avatar.append(avatarText);

  const caption = document.createElement('figcaption');
  caption.className = 'tile-label';
  const micIcon = document.createElement('span');
  micIcon.className = 'tile-mic-off';
  micIcon.title = 'Microphone off';
  micIcon.innerHTML = ICONS.micOff;
  const name = document.createElement('span');
  name.className = 'tile-name';
  caption.append(micIcon, name);

  element.append(video, avatar, caption);
  return element;
}

function updateTile(element, tile) {
  const video = element.querySelector('video');
  const name = element.querySelector('.tile-name');
  const avatar = element.querySelector('.avatar');

  element.classList.toggle('local', tile.local);
  element.classList.toggle('screen', tile.source === 'screen_share');
  element.classList.toggle('speaking', Boolean(tile.speaking));
  element.classList.toggle('video-off', !tile.videoOn);
  element.querySelector('.tile-mic-off').hidden = tile.micMuted !== true;

  if (name.textContent !== tile.label) name.textContent = tile.label;
  const letters = initials(tile.name);
  if (avatar.firstChild.textContent !== letters) avatar.firstChild.textContent = letters;
  avatar.style.setProperty('--avatar-hue', String(hueFor(tile.identity)));

  const track = tile.videoTrack || null;
  const current = video.srcObject ? video.srcObject.getVideoTracks()[0] : null;
  if (track !== current) {
    video.srcObject = track ? new MediaStream([track]) : null;
    if (track) video.play().catch(() => {});
  }
}

/**
 * One hidden <audio> element per remote audio track. `onBlocked` runs when the browser's
 * autoplay policy stops playback until the user interacts with the page.
 */
export class AudioSink {
  constructor(container, onBlocked) {
    this.container = container;
    this.onBlocked = onBlocked;
    this.elements = new Map();
  }

  render(tracks) {
    const keys = new Set(tracks.map((track) => track.mid));
    for (const [key, element] of this.elements) {
      if (!keys.has(key)) {
        element.srcObject = null;
        element.remove();
        this.elements.delete(key);
      }
    }
    for (const { mid, track, participant } of tracks) {
      let element = this.elements.get(mid);
      if (!element) {
        element = document.createElement('audio');
        element.autoplay = true;
        this.container.append(element);
        this.elements.set(mid, element);
      }
      element.dataset.identity = participant;
      const current = element.srcObject ? element.srcObject.getAudioTracks()[0] : null;
      if (current !== track) {
        element.srcObject = new MediaStream([track]);
        element.play().catch(() => this.onBlocked());
      }
    }
  }

  /** Retries playback after a user gesture. */
  resume() {
    for (const element of this.elements.values()) element.play().catch(() => {});
  }
}

/** The chat log: appends entries and keeps the newest in view. */
export class ChatLog {
  constructor(list) {
    this.list = list;
  }

  append(entry) {
    const item = document.createElement('li');
    item.className = entry.local ? 'chat-entry local' : 'chat-entry';
    item.dataset.from = entry.from;

    const header = document.createElement('div');
    header.className = 'chat-meta';
    const name = document.createElement('span');
    name.className = 'chat-name';
    name.textContent = entry.local ? 'You' : entry.name;
    const time = document.createElement('time');
    const date = new Date(entry.timestamp);
    time.dateTime = date.toISOString();
    time.textContent = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    header.append(name, time);

    const text = document.createElement('p');
    text.className = 'chat-text';
    text.textContent = entry.text;

    item.append(header, text);
    const nearBottom = this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 60;
    this.list.append(item);
    if (nearBottom || entry.local) this.list.scrollTop = this.list.scrollHeight;
  }

  clear() {
    this.list.replaceChildren();
  }
}
