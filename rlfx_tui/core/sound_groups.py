"""Which sound the learner believes is playing: the labelled points grouped by the sound they were heard with.

The learner weighs a point for the sound heard now by how near its descriptors are (context weights, see
learner.py); a group here is the same idea made discrete for the player to read ("sound 3 of 5 · 12 labels ·
4 liked here"): points whose scaled descriptors lie within `radius` (rms over descriptors) of a group's first
point belong to it, groups numbered in the order their first point was labelled. At radius = 2 × the learner's
context width, a point of another group weighs less than e⁻² ≈ 0.14 for this one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SoundHere:
    index: int  # 1-based, in the order the sounds were first labelled; 0 = none of them (a new sound)
    count: int  # how many sounds the labels know
    labels: int  # labels of this sound
    liked: int  # of which liked

    def describe(self) -> str:
        if not self.index:
            return f"a new sound ({self.count} known)"
        return (
            f"sound {self.index} of {self.count} · {self.labels} label{'s' * (self.labels != 1)} · {self.liked} liked"
        )


def group_sounds(contexts: np.ndarray, radius: float) -> tuple[np.ndarray, np.ndarray]:
    """(group of each point (n,), each group's leader (k, d)) for scaled descriptors (n, d), oldest first."""
    leaders: list[np.ndarray] = []
    groups = np.zeros(len(contexts), dtype=int)
    for i, z in enumerate(np.asarray(contexts, dtype=float)):
        if leaders:
            d = np.sqrt(((np.array(leaders) - z) ** 2).mean(axis=1))
            nearest = int(np.argmin(d))
            if d[nearest] <= radius:
                groups[i] = nearest
                continue
        leaders.append(z)
        groups[i] = len(leaders) - 1
    width = contexts.shape[1] if np.ndim(contexts) == 2 else 0
    return groups, np.array(leaders).reshape(len(leaders), width)


def sound_here(
    z: np.ndarray, groups: np.ndarray, leaders: np.ndarray, good: np.ndarray, radius: float
) -> SoundHere | None:
    """The group the scaled descriptors z belong to (index 0: none within radius); None without labels."""
    if not len(leaders):
        return None
    d = np.sqrt(((leaders - z) ** 2).mean(axis=1))
    nearest = int(np.argmin(d))
    if d[nearest] > radius:
        return SoundHere(0, len(leaders), 0, 0)
    members = groups == nearest
    return SoundHere(nearest + 1, len(leaders), int(members.sum()), int(good[members].sum()))
