"""The like-rate curves as a PNG (matplotlib is the optional extra `plot`)."""

from __future__ import annotations

import os

import numpy as np

from rlfx_tui.core.errors import RlfxError
from rlfx_tui.sim.benchmark import Outcome
from rlfx_tui.sim.report import BLOCK


def require_matplotlib() -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise RlfxError("--plot needs matplotlib: pip install 'rlfx-tui[plot]'") from None


def plot_like_rates(results: dict[str, list[Outcome]], path: str | os.PathLike[str], title: str) -> None:
    require_matplotlib()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4), dpi=120)
    for name, outcomes in results.items():
        liked = np.array([o.liked for o in outcomes], dtype=float)
        labels = liked.shape[1]
        edges = list(range(0, labels, BLOCK))
        rates = np.array([[row[a : a + BLOCK].mean() for a in edges] for row in liked]) * 100
        x = [min(a + BLOCK, labels) for a in edges]
        q1, med, q3 = np.percentile(rates, [25, 50, 75], axis=0)
        ax.plot(x, med, marker="o", label=name)
        ax.fill_between(x, q1, q3, alpha=0.2)
    ax.set_xlabel(f"labels (blocks of {BLOCK})")
    ax.set_ylabel("like-rate in block, % (median, IQR band)")
    ax.set_ylim(0, 100)
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
