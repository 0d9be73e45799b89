"""The effect chain: a pedalboard.Pedalboard built from a preset, streaming mono blocks, always ending safe.

The safety stage is part of the chain and never randomised: the preset's Limiter with its make-up gain undone
(JUCE's limiter adds −threshold + 3.75 dB to everything and pushes peaks to 0 dBFS; we measure that gain once and
trim it back, so quiet playing passes at unity and loud peaks are held about that much under full scale), then a
hard ceiling (np.clip) and a NaN/Inf guard. Whatever the parameters and input, `process` returns finite samples with
|x| ≤ 10^(ceiling_db/20). A non-finite block resets the plugins (their state is poisoned) and is replaced by
silence; `faults` counts those.

External plugins (VST3, AU) are loaded from their file here, in-process, after the preset loader has probed them in a
child process (core/plugin_probe.py). A chain with a stereo-only plugin runs in stereo: the mono input duplicated to
both channels, the output folded back to mono (`notes` says so). Choice parameters carry an index; the chain sets
the value it stands for.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pedalboard

from rlfx_tui.core.denormals import kept_fp_environment, no_denormals
from rlfx_tui.core.params import ParameterSpace
from rlfx_tui.core.presets import PLUGIN_TYPES, ParamSpec, PluginSpec, Preset


def db_to_linear(db: float) -> float:
    return float(10.0 ** (db / 20.0))


def limiter_makeup_db(limiter: pedalboard.Limiter, samplerate: float) -> float:
    """The gain a limiter applies to quiet input (measured on a fresh copy: a −60 dBFS sine, far below threshold)."""
    probe = pedalboard.Limiter(threshold_db=limiter.threshold_db, release_ms=limiter.release_ms)
    level = 1e-3
    sine = (level * np.sin(2 * np.pi * 1000.0 * np.arange(int(samplerate * 0.05)) / samplerate)).astype(np.float32)
    out = probe(sine, samplerate)
    return float(20.0 * np.log10(np.abs(out[len(out) // 2 :]).max() / level))


def build_plugin(spec: PluginSpec) -> pedalboard.Plugin:
    """One plugin of a preset, with its fixed settings (an external one loaded from its file)."""
    if spec.external:
        with kept_fp_environment():  # loading a -ffast-math library sets flush-to-zero for this whole thread
            plugin = pedalboard.load_plugin(str(spec.path), plugin_name=spec.plugin_name or None)
        for attribute, value in spec.settings.items():
            setattr(plugin, attribute, value)
        return plugin
    plugin = PLUGIN_TYPES[spec.type]()
    for attribute, value in spec.settings.items():
        if isinstance(value, str):  # enum member by name, validated by the preset loader
            value = type(getattr(plugin, attribute)).__members__[value]
        setattr(plugin, attribute, value)
    return plugin


def channel_note(preset: Preset) -> str:
    """What the chain does about channels, said once by whoever starts it ("" when nothing needs saying)."""
    stereo = [p.title for p in preset.plugins if p.channels == 2]
    if not stereo:
        return ""
    return (
        f"{', '.join(stereo)} runs in stereo only: the mono input is duplicated to both channels and the output "
        "folded back to mono"
    )


def chain_notes(preset: Preset, samplerate: float) -> list[str]:
    """What a player should know about the chain's plugins: channels, and the latency they report."""
    notes = [channel_note(preset)] if channel_note(preset) else []
    notes += [
        f"{p.title} reports {p.latency_samples} samples of latency ({1000 * p.latency_samples / samplerate:.1f} "
        f"ms at {samplerate:g} Hz)"
        for p in preset.plugins
        if p.latency_samples
    ]
    return notes


def fault_culprit(preset: Preset, error: BaseException | None) -> str:
    """Which plugin to blame for repeated faults: the external one the error names, else the external ones (they
    are far likelier to fail than pedalboard's built-ins), else the chain."""
    external = [p.title for p in preset.plugins if p.external]
    named = [t for t in external if error is not None and t in str(error)]
    return ", ".join(named or external) or "the effect chain"


class EffectChain:
    def __init__(self, preset: Preset, samplerate: float = 48000.0) -> None:
        self.preset = preset
        self.samplerate = float(samplerate)
        self.space = ParameterSpace(preset.params)
        self.plugins: dict[str, pedalboard.Plugin] = {spec.id: build_plugin(spec) for spec in preset.plugins}
        self.stereo = preset.channels == 2
        self._wide = np.zeros((2, 0), dtype=np.float32)  # the stereo input, grown once to the block size
        self.limiter = pedalboard.Limiter(
            threshold_db=preset.safety.limiter_threshold_db, release_ms=preset.safety.limiter_release_ms
        )
        self.makeup_db = limiter_makeup_db(self.limiter, self.samplerate)
        self.makeup_trim = pedalboard.Gain(gain_db=-self.makeup_db)
        self.board = pedalboard.Pedalboard([*self.plugins.values(), self.limiter, self.makeup_trim])
        self.ceiling = db_to_linear(preset.safety.ceiling_db)
        # (plugin, attribute) in parameter order: applying a state is one setattr per parameter, nothing else.
        # An OSC preset's parameters bind no plugin (the patch makes the sound): its chain is the safety stage alone.
        self._setters = [
            (self.plugins[p.plugin], p.attribute, self._choice_table(p)) for p in preset.params if p.plugin
        ]
        self.faults = 0
        self.apply(self.space.default())

    def _choice_table(self, spec: ParamSpec) -> list[object] | None:
        """What to set for each index of a choice parameter: its values (enum members for a built-in's enum)."""
        if not spec.values:
            return None
        current = getattr(self.plugins[spec.plugin], spec.attribute)
        members = getattr(type(current), "__members__", None)
        return [members[v] if members is not None and isinstance(v, str) else v for v in spec.values]

    @property
    def latency_samples(self) -> int:
        """The latency the external plugins report (built-ins report none)."""
        return sum(int(getattr(p, "reported_latency_samples", 0)) for p in self.plugins.values())

    def apply(self, values: Mapping[str, float]) -> None:
        """Set every exposed parameter (real units)."""
        self.apply_array(self.space.as_array(values))

    def apply_array(self, real_values: np.ndarray) -> None:
        """Set every exposed parameter from an ordered real-unit array; cheap enough for the audio thread.

        A state with NaN/inf is refused whole (the previous one stays, `faults` counts it): pedalboard accepts NaN
        silently, and a NaN filter cutoff turns every later block into NaN, i.e. silence until the next jump."""
        if not np.isfinite(real_values).all():
            self.faults += 1
            return
        for (plugin, attribute, choices), value in zip(self._setters, real_values.tolist()):
            setattr(
                plugin,
                attribute,
                value if choices is None else choices[min(len(choices) - 1, max(0, int(round(value))))],
            )

    def process(self, block: np.ndarray) -> np.ndarray:
        """One mono float32 block through the chain (streaming: state carries over between calls), with denormals
        flushed to zero (see core/denormals.py: without it silence after loud input costs many times more per
        block; figures in docs/figures/)."""
        block = np.ascontiguousarray(block, dtype=np.float32)
        if not np.isfinite(block).all():  # one NaN in would poison every filter's state
            self.faults += 1
            block = np.nan_to_num(block, nan=0.0, posinf=0.0, neginf=0.0)
        if self.stereo:
            n = block.shape[0]
            wide = self._wide
            if wide.shape[1] != n:  # a new block size (once per stream), or a long primer off the audio thread
                wide = np.empty((2, n), dtype=np.float32)
                if n <= 8192:
                    self._wide = wide
            wide[0] = block
            wide[1] = block
            block = wide
        with no_denormals():
            out = self.board(block, self.samplerate, reset=False)
        if out.ndim > 1:  # a plugin widened to stereo: fold back to mono
            out = out.mean(axis=0, dtype=np.float32)
        if out.shape[0] < block.shape[-1]:
            # pedalboard compensates a plugin's reported latency by dropping that many samples from the first
            # block after a reset: the missing head is the plugin's delay, so it is silence.
            out = np.concatenate([np.zeros(block.shape[-1] - out.shape[0], dtype=np.float32), out])
        return self.make_safe(out)

    def make_safe(self, out: np.ndarray) -> np.ndarray:
        """NaN/Inf guard and hard ceiling, in place."""
        if not np.isfinite(out).all():
            self.faults += 1
            self.board.reset()
            out[:] = 0.0
        np.clip(out, -self.ceiling, self.ceiling, out=out)
        return out

    def reset(self) -> None:
        """Clear the plugins' internal state (delay lines, reverb tails)."""
        self.board.reset()
