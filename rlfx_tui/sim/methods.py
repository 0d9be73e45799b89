"""The ways of choosing the next setting that the benchmark compares, behind one small interface (the GP rival is in
rival.py).

Every method hears the same audio, gets the same strength from the player and is judged by the same taste. All
end with the same regressor (the learner's mapping: Pipeline(FlooredScaler, MLPRegressor) on the liked
points), so mapping figures differ only by which points each method got liked.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from rlfx_tui.core.learner import Learner
from rlfx_tui.core.params import ParameterSpace
from rlfx_tui.core.presets import Preset
from rlfx_tui.core.session import Session
from rlfx_tui.sim.sounds import SAMPLERATE


def _scratch() -> str | None:
    """A RAM-backed folder when there is one: the session still fsyncs every label, but fsync on tmpfs is cheap."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


class Method:
    """Collects labelled points; subclasses choose proposals."""

    name = "method"

    def __init__(self, space: ParameterSpace, rng: np.random.Generator, seed: int) -> None:
        self.space, self.rng, self.seed = space, rng, seed
        self.X: list[np.ndarray] = []
        self.U: list[np.ndarray] = []
        self.good: list[bool] = []
        self.descriptors = np.zeros(0)
        self.proposal = space.default_normalized.copy()

    def listen(self, audio: np.ndarray, descriptors: np.ndarray) -> None:
        self.descriptors = descriptors

    def propose(self, sound: int, strength: float) -> np.ndarray:
        raise NotImplementedError

    def label(self, sound: int, good: bool) -> None:
        self.X.append(self.descriptors.copy())
        self.U.append(self.proposal.copy())
        self.good.append(bool(good))

    def mapping(self, audio: np.ndarray, descriptors: np.ndarray) -> np.ndarray | None:
        """The regressor's setting for this sound, or None without a single like."""
        if not any(self.good):
            return None
        learner = Learner(self.space, seed=self.seed).fit(np.array(self.X), np.array(self.U), np.array(self.good))
        return learner.predict(descriptors)

    def close(self) -> None:
        pass


class UniformRandom(Method):
    """Uniform random settings in the preset's random range, whatever the player's strength."""

    name = "uniform random"

    def propose(self, sound: int, strength: float) -> np.ndarray:
        self.proposal = self.space.randomize_normalized(self.proposal, 1.0, self.rng)
        return self.proposal


class NudgeWorkflow(Method):
    """The "randomise N %" workflow: nudges at the player's strength; only likes are kept, dislikes forgotten.

    Nudges start from the current setting; once the current sound has a liked setting they start from the last
    liked one (the player goes back to what they liked and tries again: the kindest reading of the workflow).
    The regressor on the liked sounds gives the final mapping."""

    name = "randomise N %"

    def __init__(self, space: ParameterSpace, rng: np.random.Generator, seed: int) -> None:
        super().__init__(space, rng, seed)
        self.last_liked: dict[int, np.ndarray] = {}

    def propose(self, sound: int, strength: float) -> np.ndarray:
        start = self.last_liked.get(sound, self.proposal)
        self.proposal = self.space.randomize_normalized(start, strength, self.rng)
        return self.proposal

    def label(self, sound: int, good: bool) -> None:
        super().label(sound, good)
        if good:
            self.last_liked[sound] = self.proposal.copy()


class SessionLearner(Method):
    """rlfx-tui itself, through the public Session API: listen(), randomize(strength), label(good), predict().

    Labels go to a real dataset in a temporary folder (fsynced like in the app) and every label retrains."""

    name = "rlfx-tui learner"

    def __init__(
        self,
        space: ParameterSpace,
        rng: np.random.Generator,
        seed: int,
        preset: Preset,
        learner_options: dict[str, object] | None = None,
    ) -> None:
        super().__init__(space, rng, seed)
        self._tmp = tempfile.TemporaryDirectory(prefix="rlfx-sim-", dir=_scratch())
        self.session = Session(
            preset, data_dir=Path(self._tmp.name), seed=seed, samplerate=SAMPLERATE, learner_options=learner_options
        )

    def listen(self, audio: np.ndarray, descriptors: np.ndarray) -> None:
        for start in range(0, len(audio), 256):
            self.session.listen(audio[start : start + 256])
        self.descriptors = self.session.descriptors

    def propose(self, sound: int, strength: float) -> np.ndarray:
        self.session.randomize(strength)
        self.proposal = self.space.normalize(self.session.current)
        return self.proposal

    def label(self, sound: int, good: bool) -> None:
        super().label(sound, good)
        self.session.label(good)

    def mapping(self, audio: np.ndarray, descriptors: np.ndarray) -> np.ndarray | None:
        if not any(self.good):
            return None
        self.listen(audio, descriptors)
        return self.space.normalize(self.session.predict())

    def close(self) -> None:
        self._tmp.cleanup()
