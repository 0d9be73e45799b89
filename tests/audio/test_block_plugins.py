"""Jumps with a real VST3 plugin (the test plugin): click-free through the chain pool, no plugin built per jump,
no chain handed to the audio thread while another thread uses it."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from rlfx_tui.audio.block import BlockState, process_block
from rlfx_tui.audio.pool import POOL_SIZE
from rlfx_tui.core.params import ParameterSpace
from rlfx_tui.core.presets import Preset, load_preset, resolve_preset
from tests.audio.test_block import BS, SR, _max_step, _random_states, _run, _sine_run


def _walk(preset: Preset, count: int, seed: int, strength: float = 0.7) -> list[np.ndarray]:
    """Jumps from one state to the next, as the player makes them (at strength 1 from the default a switch would
    always flip the same way: strength is the probability that a choice changes)."""
    space, rng = ParameterSpace(preset.params), np.random.default_rng(seed)
    u, states = space.default_normalized, []
    for _ in range(count):
        u = space.randomize_normalized(u, strength, rng)
        states.append(space.real_array(u))
    return states


def test_plugin_jumps_do_not_click(plugin_preset: Path) -> None:
    """The click measure of test_block (largest step ≤ 1.05 × the steady steps either side + 0.002) on jumps that
    move every parameter of the plugin, the mode and the on/off switch included; in place they click."""
    preset = load_preset(plugin_preset)
    states = _walk(preset, 16, seed=3)
    assert len({tuple(s[3:]) for s in states}) > 3  # the mode and the switch move too
    window = slice(SR - 4800, SR + SR // 2)
    in_place_clicks = 0
    for a, b in zip(states[::2], states[1::2]):
        steady = max(_max_step(_sine_run(preset, s, None, 30)[window]) for s in (a, b))
        bound = 1.05 * steady + 0.002
        faded = _max_step(_sine_run(preset, a, b, 30.0)[window])
        assert faded <= bound, (a, b, faded, steady)
        in_place_clicks += _max_step(_sine_run(preset, a, b, 0.0)[window]) > bound
    assert in_place_clicks >= 1, "the measure must be able to see a click"


def test_jumps_reuse_the_pool_and_never_hand_over_a_chain_in_use(plugin_preset: Path) -> None:
    preset = load_preset(plugin_preset)
    states = _walk(preset, 6, seed=5)
    state = BlockState(preset, SR, states[0], blocksize=BS, ramp_ms=30)
    plugins = {id(c.plugins["filter"]) for c in state.chains}
    assert len(state.chains) == POOL_SIZE == len(plugins)
    sine = (0.3 * np.sin(2 * np.pi * 330 * np.arange(BS * 400) / SR)).astype(np.float32)
    out = np.zeros(BS, dtype=np.float32)
    for i in range(400):
        if i % 3 == 0:  # a jump every 16 ms: faster than the 30 ms fades, so jumps land during fades
            prepared = state.prepare(states[i % len(states)])
            assert prepared.chain is not state.heard and prepared.chain is not state.incoming
        process_block(state, sine[i * BS : (i + 1) * BS], out)
    assert len(state.chains) == POOL_SIZE  # no plugin loaded per jump
    assert {id(c.plugins["filter"]) for c in state.chains} == plugins
    assert state.faults == 0 and np.isfinite(out).all()


def test_built_in_chains_use_the_pool_too() -> None:
    preset = resolve_preset("space")
    space = ParameterSpace(preset.params)
    states = _random_states(preset, 4, seed=1)
    state = BlockState(preset, SR, space.as_array(space.default()), blocksize=BS)
    chains = list(state.chains)
    sine = (0.3 * np.sin(2 * np.pi * 220 * np.arange(SR) / SR)).astype(np.float32)
    _run(state, sine, {i: states[i % 4] for i in range(5, 180, 10)}, channels=1)
    assert state.chains == chains and (state.heard in chains)


def test_two_preparing_threads_never_share_a_chain_with_the_audio_thread(plugin_preset: Path) -> None:
    """The UI and follow mode may both prepare jumps while the audio thread plays: every chain stays in exactly one
    place (idle, the slot, given back, heard, fading in), and none is built beyond what the overlap needs."""
    preset = load_preset(plugin_preset)
    states = _walk(preset, 8, seed=9)
    state = BlockState(preset, SR, states[0], blocksize=BS, ramp_ms=5)
    stop = threading.Event()

    def jumping(offset: int) -> None:
        k = offset
        while not stop.is_set():
            state.prepare(states[k % len(states)])
            k += 1

    threads = [threading.Thread(target=jumping, args=(k,)) for k in (0, 3)]
    for t in threads:
        t.start()
    sine = (0.3 * np.sin(2 * np.pi * 330 * np.arange(BS) / SR)).astype(np.float32)
    out = np.zeros(BS, dtype=np.float32)
    try:
        for _ in range(600):
            process_block(state, sine, out)
    finally:
        stop.set()
        for t in threads:
            t.join()
    places = [*state.pool.places(), state.heard, *([state.incoming] if state.incoming is not None else [])]
    assert sorted(map(id, places)) == sorted(map(id, state.chains))  # each chain in one place, none lost
    assert len(state.chains) <= POOL_SIZE + 2 and state.faults == 0 and np.isfinite(out).all()
