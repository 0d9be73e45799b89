"""Small synthetic input sounds for core tests (numpy only)."""

import numpy as np

SR = 48000


def tone(freq: float, seconds: float = 0.5, amp: float = 0.3, square: bool = False) -> np.ndarray:
    t = np.arange(int(SR * seconds)) / SR
    wave = np.sin(2 * np.pi * freq * t)
    return (amp * (np.sign(wave) if square else wave)).astype(np.float32)


def noise(seconds: float = 0.5, amp: float = 0.2, seed: int = 0) -> np.ndarray:
    return (amp * np.random.default_rng(seed).standard_normal(int(SR * seconds))).astype(np.float32)


def feed(session, signal: np.ndarray, block: int = 256) -> None:
    for i in range(0, len(signal), block):
        session.listen(signal[i : i + block], SR)
