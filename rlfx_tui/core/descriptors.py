"""Input descriptors: a few numbers that say what the player is playing right now.

The learner maps these to effect parameters, so they must be cheap enough for the audio callback, finite for any
input, and independent of how the host happens to slice audio into blocks.

==============  ============  ==================================================================================
name            unit          definition (per analysis frame, then smoothed)
==============  ============  ==================================================================================
loudness_db     dBFS          RMS of the raw (unwindowed) frame, ``20*log10(rms)``, floor -120. A full-scale square
                              is 0 dBFS, a full-scale sine -3.01 dBFS. Smoothed in the power domain (see below).
centroid_hz     Hz            magnitude-weighted mean frequency of the Hann-windowed rfft.
spread_hz       Hz            magnitude-weighted standard deviation of frequency around the centroid.
flatness        ratio 0-1     geometric / arithmetic mean of the power spectrum (Wiener entropy); ~0 for a tone,
                              ~0.5-0.6 for white noise with a Hann window. A relative epsilon keeps log() finite.
rolloff_hz      Hz            lowest bin frequency below which 85 % of the spectral energy (power) lies.
zcr             crossings/s   sign changes between consecutive raw samples, per second (a 100 Hz sine -> 200/s).
flux            ratio 0-1     positive spectral flux of the L1-normalised magnitude spectrum m^ = m / sum(m):
                              ``sum(max(m^_t - m^_{t-1}, 0))``. Because both spectra sum to 1 this is their
                              total-variation distance: 0 = same spectral shape, 1 = disjoint; loudness-independent.
==============  ============  ==================================================================================

Silent frames: a frame whose RMS is below the -120 dBFS floor (including digital silence) has every spectral
descriptor, zcr and flux defined as 0, and the "previous spectrum" for flux becomes all-zero, so the first sounding
frame after silence has flux 1 (the very first frame after a reset has flux 0: nothing to compare). This is what
keeps silence NaN-free.

Framing: a ring buffer holds the latest ``frame_size`` samples; the first frame is analysed once ``frame_size``
samples have arrived, then one frame every hop = ``frame_size // 2`` samples. Blocks are split at those hop
boundaries, so the frames analysed (and the results) are the same whatever the block size.

Smoothing: an exponential moving average with time constant ``smoothing_s``, per frame
``alpha = 1 - exp(-hop / (samplerate * smoothing_s))``, so it behaves the same at any samplerate. The first frame
initialises the average instead of being averaged with defaults. Loudness is averaged as mean-square power (like a
meter) and converted to dB on read, so short silences don't drag it towards -120 the way a dB average would.
Before the first frame, ``values`` is (-120, 0, 0, 0, 0, 0, 0).
"""

from __future__ import annotations

import inspect

import numpy as np

DESCRIPTOR_NAMES: tuple[str, ...] = (
    "loudness_db",
    "centroid_hz",
    "spread_hz",
    "flatness",
    "rolloff_hz",
    "zcr",
    "flux",
)
DESCRIPTOR_UNITS: dict[str, str] = {
    "loudness_db": "dBFS",
    "centroid_hz": "Hz",
    "spread_hz": "Hz",
    "flatness": "ratio 0-1",
    "rolloff_hz": "Hz",
    "zcr": "crossings/s",
    "flux": "ratio 0-1",
}

LOUDNESS_FLOOR_DB = -120.0
_FLOOR_MS = 10.0 ** (LOUDNESS_FLOOR_DB / 10.0)  # mean-square power at the floor
_ROLLOFF = 0.85
_FLATNESS_EPS_REL = 1e-10  # relative to mean power, so flatness doesn't depend on level
_N = len(DESCRIPTOR_NAMES)
_LOUD, _CENT, _SPREAD, _FLAT, _ROLL, _ZCR, _FLUX = range(_N)

# numpy >= 2.0 can write the FFT into a preallocated array; older numpy allocates one small array per frame.
_RFFT_HAS_OUT = "out" in inspect.signature(np.fft.rfft).parameters


class DescriptorTracker:
    """Streaming descriptors, safe to call from the audio callback.

    ``update`` allocates no arrays of its own (only numpy's transient views/scalars), takes no locks and does no I/O.
    ``values`` is read from another thread: the audio thread writes each new average into a spare buffer and swaps
    one reference, so a reader never sees a half-updated vector.
    """

    def __init__(self, samplerate: float, smoothing_s: float = 0.3, frame_size: int = 1024) -> None:
        if samplerate <= 0:
            raise ValueError(f"samplerate must be > 0, got {samplerate}")
        if smoothing_s < 0:
            raise ValueError(f"smoothing_s must be >= 0, got {smoothing_s}")
        if frame_size < 16:
            raise ValueError(f"frame_size must be >= 16, got {frame_size}")
        self.samplerate = float(samplerate)
        self.smoothing_s = float(smoothing_s)
        self.frame_size = int(frame_size)
        self.hop = self.frame_size // 2
        hop_s = self.hop / self.samplerate
        self._alpha = 1.0 if smoothing_s == 0 else 1.0 - float(np.exp(-hop_s / smoothing_s))

        n = self.frame_size
        bins = n // 2 + 1
        # Periodic Hann: the usual analysis window (overlap-adds to a constant at hop = n/2).
        self._window = 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(n) / n)
        self._freqs = np.fft.rfftfreq(n, d=1.0 / self.samplerate)
        self._ring = np.zeros(n)
        self._frame = np.zeros(n)
        self._windowed = np.zeros(n)
        self._spec = np.zeros(bins, dtype=np.complex128)
        self._mag = np.zeros(bins)
        self._pow = np.zeros(bins)
        self._tmp = np.zeros(bins)
        self._cum = np.zeros(bins)
        self._norm = np.zeros(bins)
        self._prev_norm = np.zeros(bins)
        self._signs = np.zeros(n, dtype=bool)
        self._changes = np.zeros(n - 1, dtype=bool)
        self._desc = np.zeros(_N)
        self._state = np.zeros(_N)
        self._spare = np.zeros(_N)
        self.reset()

    def reset(self) -> None:
        """Forget all audio: empty ring, defaults in ``values``, warm-up restarts."""
        self._ring.fill(0.0)
        self._prev_norm.fill(0.0)
        self._pos = 0
        self._until_frame = self.frame_size  # first frame only once the ring is full of real audio
        self._primed = False
        # Not atomic against a running update(): call it while the stream is stopped (or accept one odd frame).
        self._spare.fill(0.0)
        self._state.fill(0.0)  # slot 0 holds mean-square power; 0 reads as the -120 dB floor

    def update(self, block: np.ndarray) -> None:
        """Feed a mono block of any length (a 1-D array or a (frames, 1) view)."""
        x = block.reshape(-1)
        n_in = x.shape[0]
        ring = self._ring
        size = self.frame_size
        i = 0
        while i < n_in:
            # Split at hop boundaries so frames land on the same samples whatever the block size.
            take = min(n_in - i, self._until_frame)
            pos = self._pos
            first = min(take, size - pos)
            ring[pos : pos + first] = x[i : i + first]
            if first < take:
                ring[: take - first] = x[i + first : i + take]
            self._pos = (pos + take) % size
            self._until_frame -= take
            i += take
            if self._until_frame == 0:
                self._until_frame = self.hop
                self._analyse()

    @property
    def values(self) -> np.ndarray:
        """Smoothed descriptors in ``DESCRIPTOR_NAMES`` order (a float64 copy, always finite)."""
        out = self._state.copy()
        out[_LOUD] = 10.0 * np.log10(max(out[_LOUD], _FLOOR_MS))
        return out

    def _analyse(self) -> None:
        size = self.frame_size
        frame = self._frame
        pos = self._pos
        # Unroll the ring oldest-first into a contiguous frame.
        frame[: size - pos] = self._ring[pos:]
        frame[size - pos :] = self._ring[:pos]
        desc = self._desc
        ms = float(np.dot(frame, frame)) / size
        desc[_LOUD] = ms
        if ms >= _FLOOR_MS and self._spectral(desc):
            np.signbit(frame, out=self._signs)
            np.not_equal(self._signs[1:], self._signs[:-1], out=self._changes)
            desc[_ZCR] = np.count_nonzero(self._changes) * self.samplerate / (size - 1)
        else:
            desc[_CENT:] = 0.0
            self._prev_norm.fill(0.0)
        if not np.isfinite(desc).all():
            return  # inf/NaN input: keep the last good average rather than poison it
        if not self._primed:
            self._state[:] = desc
            self._primed = True
            return
        spare = self._spare
        np.subtract(desc, self._state, out=spare)
        spare *= self._alpha
        spare += self._state
        self._spare, self._state = self._state, spare  # one reference swap: readers see old or new, never half

    def _spectral(self, desc: np.ndarray) -> bool:
        """Fill the spectral slots of ``desc``; False when the windowed frame carries no energy."""
        np.multiply(self._frame, self._window, out=self._windowed)
        if _RFFT_HAS_OUT:
            spec = np.fft.rfft(self._windowed, out=self._spec)
        else:  # pragma: no cover - numpy < 2
            spec = np.fft.rfft(self._windowed)
        mag, pw, tmp, freqs = self._mag, self._pow, self._tmp, self._freqs
        np.abs(spec, out=mag)
        msum = float(mag.sum())
        if not msum > 0.0:  # energy only where the window is ~0 (e.g. a click at the frame edge)
            return False
        np.multiply(mag, mag, out=pw)
        centroid = float(np.dot(freqs, mag)) / msum
        np.subtract(freqs, centroid, out=tmp)
        np.multiply(tmp, tmp, out=tmp)
        desc[_CENT] = centroid
        desc[_SPREAD] = np.sqrt(float(np.dot(tmp, mag)) / msum)

        mean_pow = float(pw.mean())
        eps = mean_pow * _FLATNESS_EPS_REL + 1e-300
        np.add(pw, eps, out=tmp)
        np.log(tmp, out=tmp)
        desc[_FLAT] = min(1.0, float(np.exp(tmp.mean())) / (mean_pow + eps))

        np.cumsum(pw, out=self._cum)
        k = int(np.searchsorted(self._cum, _ROLLOFF * self._cum[-1]))
        desc[_ROLL] = freqs[min(k, freqs.shape[0] - 1)]

        norm, prev = self._norm, self._prev_norm
        np.divide(mag, msum, out=norm)
        np.subtract(norm, prev, out=tmp)
        np.maximum(tmp, 0.0, out=tmp)
        # The very first frame has nothing to compare with: 0 rather than a spurious onset of 1.
        desc[_FLUX] = float(tmp.sum()) if self._primed else 0.0
        self._norm, self._prev_norm = prev, norm
        return True


def describe(signal: np.ndarray, samplerate: float, smoothing_s: float = 0.3) -> np.ndarray:
    """Offline descriptors of a whole mono signal: the tracker's smoothed values after the last sample.

    Fed in 256-frame blocks like a live stream would be. A signal shorter than one frame (1024 samples) yields the
    defaults, because no frame is analysed.
    """
    tracker = DescriptorTracker(samplerate, smoothing_s=smoothing_s)
    x = np.asarray(signal, dtype=np.float32).reshape(-1)
    for start in range(0, x.shape[0], 256):
        tracker.update(x[start : start + 256])
    return tracker.values
