"""Synthetic aiortc media tracks whose content a receiver can verify.

The video track draws a 16-bit frame counter into each picture as large black and
white blocks, so the value survives lossy VP8 coding. The picture is an 8 x 6 grid
of blocks:

    row 0: guard      W B W B W B W B
    row 1: bits 15..8 (white is 1)
    row 2: bits 7..0
    row 3: row 1 inverted
    row 4: row 2 inverted
    row 5: guard      B W B W B W B W

A decoder accepts a picture only when both guard rows and the inverted rows match,
so a corrupted or foreign picture decodes to None instead of a wrong counter.
"""

import asyncio
import fractions
import time

import numpy as np
from aiortc import AudioStreamTrack, VideoStreamTrack
from aiortc.mediastreams import MediaStreamError
from av import AudioFrame, VideoFrame

GRID_COLUMNS = 8
GRID_ROWS = 6
COUNTER_BITS = 16
WHITE = 235  # Nominal white luma in limited-range BT.601 video.
BLACK = 16  # Nominal black luma.
MIN_CONTRAST = 80  # Minimum luma difference between guard blocks of a readable picture.

AUDIO_SAMPLE_RATE = 48000
AUDIO_FRAME_SECONDS = 0.020


def _guard_row(first_white: bool) -> list[int]:
    return [int((column % 2 == 0) == first_white) for column in range(GRID_COLUMNS)]


def _counter_bits(value: int) -> list[int]:
    return [(value >> shift) & 1 for shift in range(COUNTER_BITS - 1, -1, -1)]


def counter_grid(value: int) -> np.ndarray:
    """Return the GRID_ROWS x GRID_COLUMNS bit grid that encodes `value` modulo 2**16."""
    bits = _counter_bits(value % (1 << COUNTER_BITS))
    high, low = bits[:GRID_COLUMNS], bits[GRID_COLUMNS:]
    rows = [
        _guard_row(first_white=True),
        high,
        low,
        [1 - bit for bit in high],
        [1 - bit for bit in low],
        _guard_row(first_white=False),
    ]
    return np.array(rows, dtype=np.uint8)


def encode_counter(value: int, width: int, height: int) -> np.ndarray:
    """Return a luma plane of `height` x `width` that shows `value` as a block grid."""
    grid = counter_grid(value)
    row_index = np.arange(height) * GRID_ROWS // height
    column_index = np.arange(width) * GRID_COLUMNS // width
    cells = grid[row_index[:, None], column_index[None, :]]
    return np.where(cells == 1, WHITE, BLACK).astype(np.uint8)


def decode_counter(luma: np.ndarray) -> int | None:
    """Decode the counter from a luma plane of any size, or return None if it is unreadable.

    Each block is sampled over its central half, so scaling or blurred block edges do
    not change the result.
    """
    height, width = luma.shape
    if height < GRID_ROWS * 4 or width < GRID_COLUMNS * 4:
        return None
    means = np.empty((GRID_ROWS, GRID_COLUMNS))
    for row in range(GRID_ROWS):
        top = row * height // GRID_ROWS
        bottom = (row + 1) * height // GRID_ROWS
        inset_y = (bottom - top) // 4
        for column in range(GRID_COLUMNS):
            left = column * width // GRID_COLUMNS
            right = (column + 1) * width // GRID_COLUMNS
            inset_x = (right - left) // 4
            block = luma[top + inset_y : bottom - inset_y, left + inset_x : right - inset_x]
            means[row, column] = block.mean()

    guard_white = np.concatenate([means[0, 0::2], means[5, 1::2]])
    guard_black = np.concatenate([means[0, 1::2], means[5, 0::2]])
    if guard_white.min() - guard_black.max() < MIN_CONTRAST:
        return None
    threshold = (guard_white.mean() + guard_black.mean()) / 2
    bits = (means > threshold).astype(np.uint8)

    if not np.array_equal(bits[0], _guard_row(first_white=True)):
        return None
    if not np.array_equal(bits[5], _guard_row(first_white=False)):
        return None
    if not np.array_equal(bits[1:3], 1 - bits[3:5]):
        return None
    value = 0
    for bit in np.concatenate([bits[1], bits[2]]):
        value = (value << 1) | int(bit)
    return value


def decode_video_frame(frame: VideoFrame) -> int | None:
    """Decode the counter from a received aiortc video frame."""
    return decode_counter(frame.to_ndarray(format="gray"))


class CounterVideoTrack(VideoStreamTrack):
    """A 30 fps video track whose n-th picture shows the counter value n (from 0)."""

    def __init__(self, width: int = 320, height: int = 240) -> None:
        super().__init__()
        self.width = width
        self.height = height
        self.frames_sent = 0
        self._chroma = np.full((height // 2, width), 128, dtype=np.uint8)

    async def recv(self) -> VideoFrame:
        pts, time_base = await self.next_timestamp()
        luma = encode_counter(self.frames_sent, self.width, self.height)
        frame = VideoFrame.from_ndarray(np.vstack([luma, self._chroma]), format="yuv420p")
        frame.pts = pts
        frame.time_base = time_base
        self.frames_sent += 1
        return frame


class ToneAudioTrack(AudioStreamTrack):
    """A mono 48 kHz audio track that plays a sine tone in 20 ms frames."""

    def __init__(self, frequency: float = 440.0, amplitude: float = 0.3) -> None:
        super().__init__()
        self.frequency = frequency
        self.amplitude = amplitude
        self.frames_sent = 0
        self._samples_per_frame = int(AUDIO_SAMPLE_RATE * AUDIO_FRAME_SECONDS)
        self._clock_start: float | None = None

    async def recv(self) -> AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        first_sample = self.frames_sent * self._samples_per_frame
        if self._clock_start is None:
            self._clock_start = time.time()
        else:
            due = self._clock_start + first_sample / AUDIO_SAMPLE_RATE
            await asyncio.sleep(max(0.0, due - time.time()))

        sample_index = np.arange(first_sample, first_sample + self._samples_per_frame)
        wave = self.amplitude * np.sin(2 * np.pi * self.frequency * sample_index / AUDIO_SAMPLE_RATE)
        samples = (wave * 32767).astype(np.int16).reshape(1, -1)
        frame = AudioFrame.from_ndarray(samples, format="s16", layout="mono")
        frame.sample_rate = AUDIO_SAMPLE_RATE
        frame.pts = first_sample
        frame.time_base = fractions.Fraction(1, AUDIO_SAMPLE_RATE)
        self.frames_sent += 1
        return frame


def audio_frame_mono(frame: AudioFrame) -> np.ndarray:
    """Return the first channel of a received packed or planar s16 audio frame as floats."""
    samples = frame.to_ndarray()
    channels = len(frame.layout.channels)
    if frame.format.is_planar:
        mono = samples[0]
    else:
        mono = samples.reshape(-1)[::channels]
    return mono.astype(np.float64)


def dominant_frequency(samples: np.ndarray, sample_rate: int) -> float:
    """Return the frequency in Hz of the strongest component of `samples`."""
    window = np.hanning(len(samples))
    spectrum = np.abs(np.fft.rfft(samples * window))
    spectrum[0] = 0.0
    return float(np.fft.rfftfreq(len(samples), 1.0 / sample_rate)[int(np.argmax(spectrum))])
