"""The benchmark's figures as Markdown tables (medians over seeds, [25th–75th percentile])."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rlfx_tui.sim.benchmark import METHOD_NAMES, Outcome

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


def tables(results: dict[str, list[Outcome]], sound_names: Sequence[str]) -> str:
    labels = len(results[METHOD_NAMES[0]][0].liked)
    blocks = [(i, min(i + BLOCK, labels)) for i in range(0, labels, BLOCK)]
    late = labels > LATE_FROM
    head = [f"{a + 1}–{b}" for a, b in blocks] + ([f"{LATE_FROM + 1}–{labels}"] if late else [])
    out = ["Like-rate per block of labels, % (median [IQR] over seeds)", "",
           "| method | " + " | ".join(head) + " |", "|---" * (len(head) + 1) + "|"]
    for name in METHOD_NAMES:
        rows = results[name]
        cells = [_spread([100 * o.liked[a:b].mean() for o in rows], ".0f") for a, b in blocks]
        if late:
            cells.append(_spread(100 * late_rates(rows), ".0f"))
        out.append(f"| {name} | " + " | ".join(cells) + " |")

    out += ["", "Labels on a sound up to its first like (median [IQR] over seeds; never = no like)", "",
            "| method | " + " | ".join(sound_names) + " | first like, liked sounds | sounds never liked | "
            "mapping inside liked region | mapping distance |", "|---" * (len(sound_names) + 5) + "|"]
    for name in METHOD_NAMES:
        rows = results[name]
        firsts = [_spread([np.inf if np.isnan(o.first_like[k]) else o.first_like[k] for o in rows], ".0f")
                  for k in range(len(sound_names))]
        found = np.concatenate([o.first_like[~np.isnan(o.first_like)] for o in rows])
        first = _spread(found, ".0f") if len(found) else "–"
        never = _spread([np.isnan(o.first_like).sum() for o in rows], ".0f")
        liked_total = sum(int((~np.isnan(o.first_like)).sum()) for o in rows)
        inside_total = sum(int(np.sum(o.distance[~np.isnan(o.first_like)] == 0.0)) for o in rows)
        distances = np.concatenate([o.distance[~np.isnan(o.first_like)] for o in rows])
        dist = _spread(distances, ".3f") if len(distances) else "–"
        share = f"{inside_total}/{liked_total} = {inside_total / liked_total:.0%}" if liked_total else "–"
        out.append(f"| {name} | " + " | ".join(firsts) + f" | {first} | {never} | {share} | {dist} |")
    out += ["", "(first like, liked sounds / mapping: over every sound that got a like, all seeds pooled; distance "
            "in normalised units over the taste's parameters, 0 = inside)"]
    out += ["", "After a sound's first like: how new each proposal is (distance to that sound's nearest liked setting ÷ "
            "a typical jump at the player's strength; 1 ≈ a plain jump from a liked setting, 0 = a repeat)", "",
            "| method | novelty, median [IQR] | proposals under 0.25 (near-repeats) |", "|---|---|---|"]
    for name in METHOD_NAMES:
        values = np.concatenate([o.novelty[~np.isnan(o.novelty)] for o in results[name]])
        if len(values):
            out.append(f"| {name} | {_spread(values, '.2f')} | {np.mean(values < 0.25):.0%} |")
        else:
            out.append(f"| {name} | – | – |")
    return "\n".join(out)


def verdict(results: dict[str, list[Outcome]]) -> str:
    """The issue's targets against this run, each marked met or missed."""
    uniform, nudge, ours = (results[n] for n in METHOD_NAMES)
    lines = []
    if len(ours[0].liked) > LATE_FROM:
        u, n, o = (float(np.median(late_rates(r))) for r in (uniform, nudge, ours))

        def ratio(a: float, b: float) -> float:
            return a / b if b > 0 else np.inf

        lines.append(f"late like-rate: {o:.0%} vs uniform {u:.0%} (×{ratio(o, u):.1f}, target ≥ 8) "
                     f"{'met' if ratio(o, u) >= 8 else 'MISSED'}; vs randomise N % {n:.0%} (×{ratio(o, n):.1f}, "
                     f"target ≥ 2) {'met' if ratio(o, n) >= 2 else 'MISSED'}")
    liked = sum(int((~np.isnan(x.first_like)).sum()) for x in ours)
    inside = sum(int(np.sum(x.distance[~np.isnan(x.first_like)] == 0.0)) for x in ours)
    share = inside / liked if liked else 0.0
    lines.append(f"mapping inside the liked region: {inside}/{liked} = {share:.1%} of liked sounds (target ≥ 90 %) "
                 f"{'met' if share >= 0.9 else 'MISSED'}")
    never_ours = float(np.median([np.isnan(x.first_like).sum() for x in ours]))
    never_nudge = float(np.median([np.isnan(x.first_like).sum() for x in nudge]))
    lines.append(f"sounds never liked: {never_ours:g} vs randomise N % {never_nudge:g} (target: fewer) "
                 f"{'met' if never_ours < never_nudge else 'MISSED'}")
    return "\n".join(lines)
