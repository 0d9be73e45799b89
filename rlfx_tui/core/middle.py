"""The middle of several liked settings, which a slip far off cannot drag away: a weighted Huber estimate.

The mean of the liked settings moves by w/W of the distance to any one of them, so a stray like (a press the
player did not mean, two of them side by side backing each other up) pulls the mapping's target off the liked
region in proportion to how far away it is. A geometric median (least summed distance) does not, but it snaps to
whichever likes are densest and lands nearer the edge of what was liked. Huber's loss sits between them: likes
within `MEAN_WITHIN` of the middle count as in a mean (squared distance), farther ones by their weight alone
(distance), so a spot's likes average out and a far one pulls no more than a near one.

`rlfx-tui simulate` on the same label histories, 100 seeds each (docs/figures/learning.md): with 10 % of answers
flipped the mapping landed inside the truly liked region for more liked sounds than with the mean, with one liked
shape per sound (no flips) for as many; the geometric median lost some of those.
"""

from __future__ import annotations

import numpy as np

# Normalised units over all the free parameters (Euclidean): about a spot's own spread. Likes nearer than this to
# the middle pull it in proportion to their distance, as in a mean; farther ones with their weight alone.
MEAN_WITHIN = 0.15


def robust_middle(weights: np.ndarray, points: np.ndarray, iterations: int = 30) -> np.ndarray:
    """Per row of `weights` (t, m), the x minimising Σ_i w_i huber(‖x − points_i‖) over `points` (m, p): (t, p),
    huber(d) = d²/2 within MEAN_WITHIN, MEAN_WITHIN·(d − MEAN_WITHIN/2) beyond.

    Iteratively reweighted means from the weighted mean (each point weighted w_i / max(d_i, MEAN_WITHIN)), a fixed
    number of steps; every row needs a positive total weight."""
    weights = np.asarray(weights, dtype=float)
    points = np.asarray(points, dtype=float)
    middle = (weights @ points) / weights.sum(axis=1, keepdims=True)
    squared_norms = (points**2).sum(axis=1)
    for _ in range(iterations):
        # ‖x − p‖² = ‖x‖² − 2 x·p + ‖p‖²: one matrix product, not a (t, m, p) array
        d2 = (middle**2).sum(axis=1, keepdims=True) - 2.0 * middle @ points.T + squared_norms[None, :]
        pull = weights / np.maximum(np.sqrt(np.maximum(d2, 0.0)), MEAN_WITHIN)
        middle = (pull @ points) / pull.sum(axis=1, keepdims=True)
    return middle
