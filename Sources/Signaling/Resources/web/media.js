// Local capture: camera, microphone and screen, device lists, and the camera's simulcast layers.

/** Simulcast layers of the camera, lowest first, as announced in TrackInfo.layers. */
export const SIMULCAST_LAYERS = [
  { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'f', scaleResolutionDownBy: 1, maxBitrate: 1_500_000 },
];

const DEFAULT_CAMERA_SIZE = { width: 1280, height: 720 };

/** Parses a `WIDTHxHEIGHT` string such as `640x360`, or returns null. */
export function parseResolution(text) {
  const match = /^(\d{2,4})x(\d{2,4})$/.exec(text || '');
  if (!match) return null;
  return { width: Number(match[1]), height: Number(match[2]) };
}

function cameraConstraints(deviceId, size) {
  const { width, height } = size || DEFAULT_CAMERA_SIZE;
  const video = { width: { ideal: width }, height: { ideal: height } };
  if (deviceId) video.deviceId = { exact: deviceId };
  return video;
}

function microphoneConstraints(deviceId) {
  const audio = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
  if (deviceId) audio.deviceId = { exact: deviceId };
  return audio;
}

/**
 * Opens the camera and microphone with one permission prompt, falling back to each alone.
 * Returns `{audio, video, problems}`; a track is null when its device failed, and `problems`
 * lists a readable sentence for each failure.
 */
export async function openCameraAndMicrophone(size) {
  const problems = [];
  try {
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: microphoneConstraints(null),
      video: cameraConstraints(null, size),
    });
    return { audio: stream.getAudioTracks()[0] || null, video: stream.getVideoTracks()[0] || null, problems };
  } catch (error) {
    console.warn('chorus: camera and microphone together failed, trying each alone', error);
  }
  let audio = null;
  let video = null;
  try {
    audio = await openMicrophone(null);
  } catch (error) {
    problems.push(`Microphone unavailable: ${describeMediaError(error)}`);
  }
  try {
    video = await openCamera(null, size);
  } catch (error) {
    problems.push(`Camera unavailable: ${describeMediaError(error)}`);
  }
  return { audio, video, problems };
}

export async function openCamera(deviceId, size) {
  const stream = await navigator.mediaDevices.getUserMedia({ video: cameraConstraints(deviceId, size) });
  return stream.getVideoTracks()[0];
}

export async function openMicrophone(deviceId) {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: microphoneConstraints(deviceId) });
  return stream.getAudioTracks()[0];
}

/** Asks the user for a screen, window or tab; returns `{video, audio}` (audio may be null). */
export async function openScreen() {
  const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15 } }, audio: true });
  const video = stream.getVideoTracks()[0] || null;
  if (video && 'contentHint' in video) video.contentHint = 'detail';
  return { video, audio: stream.getAudioTracks()[0] || null };
}

/** Returns `{cameras, microphones}`, each a list of `{deviceId, label}`. */
export async function listDevices() {
  const devices = await navigator.mediaDevices.enumerateDevices();
  const pick = (kind, fallback) =>
    devices
      .filter((device) => device.kind === kind && device.deviceId)
      .map((device, index) => ({ deviceId: device.deviceId, label: device.label || `${fallback} ${index + 1}` }));
  return { cameras: pick('videoinput', 'Camera'), microphones: pick('audioinput', 'Microphone') };
}

/** Returns the send encodings for a simulcast camera transceiver. */
export function simulcastEncodings() {
  return SIMULCAST_LAYERS.map(({ rid, scaleResolutionDownBy, maxBitrate }) => ({
    rid,
    scaleResolutionDownBy,
    maxBitrate,
  }));
}

/** Returns TrackInfo.layers for a camera track: each layer's size and bitrate, lowest first. */
export function simulcastLayers(track) {
  const settings = track.getSettings();
  const width = settings.width || DEFAULT_CAMERA_SIZE.width;
  const height = settings.height || DEFAULT_CAMERA_SIZE.height;
  return SIMULCAST_LAYERS.map(({ rid, scaleResolutionDownBy, maxBitrate }) => ({
    rid,
    width: Math.round(width / scaleResolutionDownBy),
    height: Math.round(height / scaleResolutionDownBy),
    bitrate: maxBitrate,
  }));
}

export function describeMediaError(error) {
  switch (error && error.name) {
    case 'NotAllowedError':
      return 'permission denied';
    case 'NotFoundError':
      return 'no such device';
    case 'NotReadableError':
      return 'the device is in use by another program';
    case 'OverconstrainedError':
      return 'the device does not support the requested settings';
    default:
      return String((error && error.message) || error);
  }
}
