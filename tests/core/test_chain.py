import numpy as np

from rlfx_tui.core.chain import EffectChain
from rlfx_tui.core.params import ParameterSpace
from rlfx_tui.core.presets import resolve_preset, shipped_presets


def test_streaming_blocks_match_one_long_call():
    """reset=False: state carries across blocks, so blockwise output equals processing the whole signal."""
    preset = resolve_preset("space")
    signal = (0.3 * np.sin(2 * np.pi * 330 * np.arange(4096) / 48000)).astype(np.float32)
    whole = EffectChain(preset).process(signal.copy())
    chain = EffectChain(preset)
    blocks = np.concatenate([chain.process(signal[i : i + 256]) for i in range(0, 4096, 256)])
    assert np.allclose(blocks, whole, atol=1e-4)


def test_apply_changes_the_sound():
    preset = resolve_preset("grit")
    space = ParameterSpace(preset.params)
    x = (0.5 * np.sin(2 * np.pi * 220 * np.arange(2048) / 48000)).astype(np.float32)
    quiet, loud = EffectChain(preset), EffectChain(preset)
    quiet.apply(dict(space.default(), drive=0.0, trim=-18.0))
    loud.apply(dict(space.default(), drive=40.0, trim=0.0))
    assert np.sqrt(np.mean(loud.process(x) ** 2)) > 2 * np.sqrt(np.mean(quiet.process(x) ** 2))


def test_output_is_finite_and_under_the_ceiling_at_random_extremes():
    rng = np.random.default_rng(0)
    for path in shipped_presets().values():
        preset = resolve_preset(str(path))
        chain, space = EffectChain(preset), ParameterSpace(preset.params)
        square = np.sign(np.sin(2 * np.pi * 110 * np.arange(256) / 48000)).astype(np.float32)
        for i in range(200):
            if i % 10 == 0:
                chain.apply(space.randomize(space.default(), 1.0, rng))
            out = chain.process(square if i % 2 else rng.uniform(-1, 1, 256).astype(np.float32))
            assert np.isfinite(out).all()
            assert np.abs(out).max() <= chain.ceiling + 1e-7


def test_non_finite_input_becomes_silence_and_is_counted():
    chain = EffectChain(resolve_preset("space"))
    out = chain.process(np.full(256, np.nan, dtype=np.float32))
    assert chain.faults == 1 and np.all(out == 0)
    after = chain.process(np.full(256, 0.1, dtype=np.float32))
    assert np.isfinite(after).all()
