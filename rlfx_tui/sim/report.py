"""The benchmark's figures as Markdown tables (medians over seeds, [25th–75th percentile])."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rlfx_tui.sim.benchmark import METHODS, Outcome

BLOCK = 10
LATE_FROM = 40  # labels 41–60 (0-based start)


def _spread(values: Sequence[float] | np.ndarray, fmt: str) -> str:
    """median [q1–q3]; inf values (no like) sort last and read "never"."""
    v = np.asarray(values, dtype=float)
    finite_max = v[np.isfinite(v)].max(initial=0.0)
    q1, med, q3 = np.percentile(np.where(np.isinf(v), finite_max + 1e6, v), [25, 50, 75])

    def show(x: float) -> str:
        return "never" if x > finite_max + 1e5 else format(x, fmt)

    return f"{show(med)} [{show(q1)}–{show(q3)}]"


def late_rates(outcomes: list[Outcome]) -> np.ndarray:
    return np.array([o.liked[LATE_FROM:].mean() for o in outcomes])


def told(outcome: Outcome) -> np.ndarray:
    """Per sound: did the method hear "like" for a truly liked setting (without flipped answers: any like)."""
    return ~np.isnan(outcome.first_like) if outcome.told is None else outcome.told


def mapping_inside(outcomes: list[Outcome]) -> tuple[int, int]:
    """(sounds whose mapping lands inside the truly liked region, sounds the method was told a true like of)."""
    inside = sum(int(np.sum(o.distance[told(o)] == 0.0)) for o in outcomes)
    return inside, sum(int(told(o).sum()) for o in outcomes)


def tables(results: dict[str, list[Outcome]], sound_names: Sequence[str]) -> str:
    names = list(results)
    labels = len(results[names[0]][0].liked)
    blocks = [(i, min(i + BLOCK, labels)) for i in range(0, labels, BLOCK)]
    late = labels > LATE_FROM
    head = [f"{a + 1}–{b}" for a, b in blocks] + ([f"{LATE_FROM + 1}–{labels}"] if late else [])
    out = [
        "Like-rate per block of labels, % (median [IQR] over seeds)",
        "",
        "| method | " + " | ".join(head) + " |",
        "|---" * (len(head) + 1) + "|",
    ]
    for name in names:
        rows = results[name]
        cells = [_spread([100 * o.liked[a:b].mean() for o in rows], ".0f") for a, b in blocks]
        if late:
            cells.append(_spread(100 * late_rates(rows), ".0f"))
        out.append(f"| {name} | " + " | ".join(cells) + " |")

    out += [
        "",
        "Labels on a sound up to its first like (median [IQR] over seeds; never = no like)",
        "",
        "| method | " + " | ".join(sound_names) + " | first like, liked sounds | sounds never liked | "
        "mapping inside liked region | mapping distance |",
        "|---" * (len(sound_names) + 5) + "|",
    ]
    for name in names:
        rows = results[name]
        firsts = [
            _spread([np.inf if np.isnan(o.first_like[k]) else o.first_like[k] for o in rows], ".0f")
            for k in range(len(sound_names))
        ]
        found = np.concatenate([o.first_like[~np.isnan(o.first_like)] for o in rows])
        first = _spread(found, ".0f") if len(found) else "–"
        never = _spread([np.isnan(o.first_like).sum() for o in rows], ".0f")
        inside_total, liked_total = mapping_inside(rows)
        distances = np.concatenate([o.distance[told(o)] for o in rows])
        dist = _spread(distances, ".3f") if len(distances) else "–"
        share = f"{inside_total}/{liked_total} = {inside_total / liked_total:.0%}" if liked_total else "–"
        out.append(f"| {name} | " + " | ".join(firsts) + f" | {first} | {never} | {share} | {dist} |")
    out += [
        "",
        "(first like, liked sounds / mapping: over every sound that got a like, all seeds pooled; distance "
        "in normalised units over the taste's parameters, 0 = inside; with flipped answers, likes are the "
        "player's true taste, and the mapping counts the sounds where a truly liked setting was answered like)",
    ]
    out += [
        "",
        "After a sound's first like: how new each proposal is (distance to that sound's nearest liked setting ÷ "
        "a typical jump at the player's strength; 1 ≈ a plain jump from a liked setting, 0 = a repeat)",
        "",
        "| method | novelty, median [IQR] | proposals under 0.25 (near-repeats) |",
        "|---|---|---|",
    ]
    for name in names:
        values = np.concatenate([o.novelty[~np.isnan(o.novelty)] for o in results[name]])
        if len(values):
            out.append(f"| {name} | {_spread(values, '.2f')} | {np.mean(values < 0.25):.0%} |")
        else:
            out.append(f"| {name} | – | – |")
    return "\n".join(out)


def summary(results: dict[str, list[Outcome]], setting: str) -> str:
    """One row per method: late like-rate, its ratio to the walk, novelty after a like, mapping, sounds never liked
    (the rows of the docs' all-shapes table; `setting` names the run)."""
    names = list(results)
    labels = len(results[names[0]][0].liked)
    late = labels > LATE_FROM
    walk = METHODS["walk"].name
    base = float(np.median(late_rates(results[walk]))) if walk in results and late else None
    span = f"{LATE_FROM + 1}–{labels}" if late else f"(over {LATE_FROM} labels only)"
    out = [
        f"| setting | method | like-rate {span}, % | × walk | novelty after a like | mapping inside | never liked |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in names:
        rows = results[name]
        rate = _spread(100 * late_rates(rows), ".0f") if late else "–"
        median = float(np.median(late_rates(rows))) if late else 0.0
        ratio = "–" if base is None or name == walk else "∞" if base == 0 else f"×{median / base:.1f}"
        values = np.concatenate([o.novelty[~np.isnan(o.novelty)] for o in rows])
        novelty = f"{np.median(values):.2f}" if len(values) else "–"
        inside, told_total = mapping_inside(rows)
        mapped = f"{inside}/{told_total} = {inside / told_total:.0%}" if told_total else "–"
        never = f"{np.median([np.isnan(o.first_like).sum() for o in rows]):g}"
        out.append(f"| {setting} | {name} | {rate} | {ratio} | {novelty} | {mapped} | {never} |")
    return "\n".join(out)


@dataclass(frozen=True)
class Paired:
    """One method against another, seed by seed (both ran on the same worlds): the late like-rate difference in
    points, its mean and standard error over seeds, and on how many seeds the first was ahead, level or behind.
    A 20-seed median moves with the seeds and even with one unused random draw; a paired mean moves far less."""

    seeds: int
    mean: float
    standard_error: float
    ahead: int
    level: int
    behind: int

    def __str__(self) -> str:
        return (
            f"{self.mean:+.1f} ± {self.standard_error:.1f} points over {self.seeds} seeds "
            f"(ahead on {self.ahead}, level on {self.level}, behind on {self.behind})"
        )


def paired(ours: list[Outcome], theirs: list[Outcome]) -> Paired:
    """``ours`` − ``theirs`` on labels 41 on, seed by seed (the lists are in seed order, as ``run`` returns them)."""
    if len(ours) != len(theirs):
        raise ValueError(f"paired: {len(ours)} seeds against {len(theirs)}")
    difference = 100 * (late_rates(ours) - late_rates(theirs))
    spread = float(np.std(difference, ddof=1)) / np.sqrt(len(difference)) if len(difference) > 1 else float("nan")
    return Paired(
        len(difference),
        float(np.mean(difference)),
        spread,
        int(np.sum(difference > 0)),
        int(np.sum(difference == 0)),
        int(np.sum(difference < 0)),
    )


def verdict(results: dict[str, list[Outcome]], *, flip: float = 0.0, shape: str = "ball") -> str:
    """The issues' targets against this run (those whose methods ran), each marked met or missed."""
    by_key = {key: results[cls.name] for key, cls in METHODS.items() if cls.name in results}
    ours = by_key.get("learner")
    if ours is None:
        return "(no learner in this run: no targets to check)"
    lines = []

    def mark(ok: bool) -> str:
        return "met" if ok else "MISSED"

    def ratio(a: float, b: float) -> float:
        return a / b if b > 0 else np.inf

    if len(ours[0].liked) > LATE_FROM:
        o = float(np.median(late_rates(ours)))
        parts = []
        if "uniform" in by_key:
            u = float(np.median(late_rates(by_key["uniform"])))
            parts.append(f"vs uniform {u:.0%} (×{ratio(o, u):.1f}, target ≥ 8) {mark(ratio(o, u) >= 8)}")
        if "walk" in by_key:
            n = float(np.median(late_rates(by_key["walk"])))
            need = 1.3 if flip >= 0.25 else 2.0 if (flip == 0 and shape == "ball") else 1.5
            parts.append(
                f"vs randomise N % {n:.0%} (×{ratio(o, n):.1f}, target ≥ {need:g}) {mark(ratio(o, n) >= need)}"
            )
        if "gp" in by_key:
            g = float(np.median(late_rates(by_key["gp"])))
            parts.append(f"vs GP classifier {g:.0%} (target: at least as high) {mark(o >= g)}")
        lines.append(f"late like-rate: {o:.0%} " + "; ".join(parts))
        if "gp" in by_key:
            lines.append(f"learner − GP classifier, paired: {paired(ours, by_key['gp'])}")
    inside, liked = mapping_inside(ours)
    share = inside / liked if liked else 0.0
    need = 0.85 if flip > 0 else 0.9
    lines.append(
        f"mapping inside the truly liked region: {inside}/{liked} = {share:.1%} of liked sounds "
        f"(target ≥ {need:.0%}) {mark(share >= need)}"
    )
    if "walk" in by_key:
        never_ours = float(np.median([np.isnan(x.first_like).sum() for x in ours]))
        never_nudge = float(np.median([np.isnan(x.first_like).sum() for x in by_key["walk"]]))
        lines.append(
            f"sounds never liked: {never_ours:g} vs randomise N % {never_nudge:g} (target: fewer) "
            f"{mark(never_ours < never_nudge)}"
        )
    return "\n".join(lines)
