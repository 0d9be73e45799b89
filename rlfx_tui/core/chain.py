"""The effect chain: a pedalboard.Pedalboard built from a preset, streaming blocks, always ending safe.

The safety stage is part of the chain and never randomised: the preset's Limiter with its make-up gain undone
(JUCE's limiter adds −threshold + 3.75 dB to everything and pushes peaks to 0 dBFS; we measure that gain once and
trim it back, so quiet playing passes at unity and loud peaks are held about that much under full scale), then a
hard ceiling (np.clip) and a NaN/Inf guard. Whatever the parameters and input, `process` returns finite samples with
|x| ≤ 10^(ceiling_db/20). A non-finite block resets the plugins (their state is poisoned) and is replaced by
silence; `faults` counts those. The audio thread calls `run` instead: the same guard, no ceiling (process_block
applies it once, to the mix it plays).

Channels: a chain for a mono output (``channels=1``) takes and returns mono blocks, as it always did. A chain for a
stereo output takes (2, frames) blocks (or mono ones, duplicated to both sides before the first plugin) and returns
(2, frames), with the width core/stereo.py gives Chorus, Delay and Phaser. A stereo-only plugin makes the chain
stereo inside even for a mono output (the output then folded back to mono, `notes` says so); a mono-only one keeps
it mono for a stereo output (the engine copies it to both sides). Limiter, trim, ceiling and the NaN guard act on
every channel.

External plugins (VST3, AU) are loaded from their file here, in-process, after the preset loader has probed them in a
child process (core/plugin_probe.py). Choice parameters carry an index; the chain sets the value it stands for.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import numpy as np
import pedalboard

from rlfx_tui.core.denormals import kept_fp_environment, no_denormals
from rlfx_tui.core.finite import all_finite, clip_in_place
from rlfx_tui.core.params import ParameterSpace
from rlfx_tui.core.presets import PLUGIN_TYPES, ParamSpec, PluginSpec, Preset
from rlfx_tui.core.stereo import BUFFER_SIZE, StereoBoard, right_offset, right_offsets, stages, widened

WIDE_FRAMES = 8192  # the stereo input buffer is kept up to this many frames (a block; longer primers get their own)


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


def chain_channels(preset: Preset, channels: int) -> int:
    """The channels a chain takes and returns for an output of ``channels``: 2 for a stereo (or wider) output,
    unless a plugin runs in mono only; 1 for a mono output."""
    if channels < 2 or any(p.channels == 1 for p in preset.plugins):
        return 1
    return 2


def channel_note(preset: Preset, channels: int = 1) -> str:
    """What the chain does about channels for an output of ``channels``, said once by whoever starts it ("" when
    nothing needs saying)."""
    stereo = [p.title for p in preset.plugins if p.channels == 2]
    mono = [p.title for p in preset.plugins if p.channels == 1]
    if stereo and channels < 2:
        return (
            f"{', '.join(stereo)} runs in stereo only: the mono input is duplicated to both channels and the output "
            "folded back to mono"
        )
    if mono and channels >= 2:
        return f"{', '.join(mono)} runs in mono only: the chain plays mono, the same on both channels"
    return ""


def chain_notes(preset: Preset, samplerate: float, channels: int = 1) -> list[str]:
    """What a player should know about the chain's plugins: channels, and the latency they report."""
    note = channel_note(preset, channels)
    notes = [note] if note else []
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
    def __init__(self, preset: Preset, samplerate: float = 48000.0, channels: int = 1) -> None:
        self.preset = preset
        self.samplerate = float(samplerate)
        self.space = ParameterSpace(preset.params)
        self.plugins: dict[str, pedalboard.Plugin] = {spec.id: build_plugin(spec) for spec in preset.plugins}
        self.channels = chain_channels(preset, channels)  # what process takes and returns
        self.stereo = preset.channels == 2 or self.channels == 2  # the plugins run in stereo
        self._wide = np.zeros(2 * 256, dtype=np.float32)  # the stereo input (flat), grown to the block size
        self.limiter = pedalboard.Limiter(
            threshold_db=preset.safety.limiter_threshold_db, release_ms=preset.safety.limiter_release_ms
        )
        self.makeup_db = limiter_makeup_db(self.limiter, self.samplerate)
        self.makeup_trim = pedalboard.Gain(gain_db=-self.makeup_db)
        safety = [self.limiter, self.makeup_trim]
        self.board: pedalboard.Pedalboard | StereoBoard = pedalboard.Pedalboard([*self.plugins.values(), *safety])
        # Right-side instances, where the chain plays per side for its width (core/stereo.py).
        self.right: dict[str, pedalboard.Plugin] = {}
        types = [spec.type for spec in preset.plugins]
        if self.channels == 2 and preset.channels != 2 and widened(types):
            self.right = {spec.id: self._right_plugin(spec) for spec in preset.plugins}
            limiter = pedalboard.Limiter(threshold_db=self.limiter.threshold_db, release_ms=self.limiter.release_ms)
            rights = [*self.right.values(), limiter, pedalboard.Gain(gain_db=-self.makeup_db)]
            self.board = StereoBoard(stages(types, [*self.plugins.values(), *safety], rights))
        self.ceiling = db_to_linear(preset.safety.ceiling_db)
        # (plugins, attribute) in parameter order: applying a state is one setattr per parameter and side.
        # An OSC preset's parameters bind no plugin (the patch makes the sound): its chain is the safety stage alone.
        self._setters = [(self._targets(p), p.attribute, self._choice_table(p)) for p in preset.params if p.plugin]
        self.faults = 0
        self.squares = 0.0  # the sum of squares of the last output of run()
        self.apply(self.space.default())

    def _right_plugin(self, spec: PluginSpec) -> pedalboard.Plugin:
        """The right side's twin of a plugin: its settings (or defaults) with the right side's offsets."""
        plugin = build_plugin(spec)
        for attribute, offset in right_offsets(spec.type).items():
            setattr(plugin, attribute, offset(float(getattr(plugin, attribute))))
        return plugin

    def _targets(self, spec: ParamSpec) -> list[tuple[pedalboard.Plugin, Callable[[float], float] | None]]:
        """The instances a parameter sets: the plugin, and its right-side twin (with its offset) if it has one."""
        targets: list[tuple[pedalboard.Plugin, Callable[[float], float] | None]] = [(self.plugins[spec.plugin], None)]
        if spec.plugin in self.right:
            kind = next(p.type for p in self.preset.plugins if p.id == spec.plugin)
            targets.append((self.right[spec.plugin], right_offset(kind, spec.attribute)))
        return targets

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
        for (targets, attribute, choices), value in zip(self._setters, real_values.tolist()):
            setting = value if choices is None else choices[min(len(choices) - 1, max(0, int(round(value))))]
            for plugin, offset in targets:
                setattr(plugin, attribute, setting if offset is None else offset(float(setting)))  # type: ignore[arg-type]

    def process(self, block: np.ndarray, *, finite: bool = False) -> np.ndarray:
        """One float32 block through the chain (streaming: state carries over between calls), with denormals
        flushed to zero (see core/denormals.py: without it silence after loud input costs many times more per
        block; figures in docs/figures/), and the safety stage's guard and ceiling. ``block`` is (frames,) or, for
        a stereo chain, (2, frames); the result has ``channels`` channels: (frames,) or (2, frames). A chain
        playing per side returns its own buffer, valid until the next call (copy it to keep it). ``finite``: the
        caller has already made sure the block is finite, so the check is skipped."""
        block = np.asarray(block, dtype=np.float32)
        if not finite and not all_finite(block):  # one NaN in would poison every filter's state
            self.faults += 1
            block = np.nan_to_num(block, nan=0.0, posinf=0.0, neginf=0.0)
        if not self.stereo and block.ndim == 2:  # a stereo block for a mono chain: its mix
            block = block.mean(axis=0, dtype=np.float32)
        elif not self.stereo:
            block = np.ascontiguousarray(block)
        with no_denormals():
            out = self.run(block)
        clip_in_place(out, self.ceiling)
        return out

    def run(self, block: np.ndarray) -> np.ndarray:
        """The audio thread's call: ``block`` (float32, finite, contiguous for a mono chain) through the chain,
        its output checked, not clipped. The caller flushes denormals (process_block does, once per block) and
        applies the ceiling to what it plays, after mixing (once per block, not once per chain).

        The check is one sum of squares (kept in ``squares``: the output meter's, when this output is played as it
        is): NaN or inf when any sample is, and for finite samples only above ~1e19 (after the limiter: a broken
        plugin), where the exact check decides. A non-finite output resets the plugins (their state is poisoned)
        and plays as silence; ``faults`` counts it."""
        if self.stereo and (block.ndim == 1 or not block.flags.c_contiguous):
            block = self._widen(block)
        # Positional arguments: pybind11 spends ~6,000 instructions parsing a keyword per call (a third of a
        # 64-frame block's own Python cost).
        out = self.board(block, self.samplerate, BUFFER_SIZE, False)  # reset=False: streaming
        if out.shape != block.shape or self.channels == 1 and out.ndim > 1:
            out = self._conform(out, block.shape[-1])
        flat = out if out.ndim == 1 else out.reshape(-1)
        self.squares = squares = float(flat.dot(flat))
        if not math.isfinite(squares):
            if not all_finite(flat):
                self.faults += 1
                self.board.reset()
                out.fill(0.0)
                self.squares = 0.0
            else:
                self.squares = math.inf  # finite but too large to square: whoever plays it clips it
        return out

    def _conform(self, out: np.ndarray, n: int) -> np.ndarray:
        """A board's output as ``channels`` channels of ``n`` frames: a plugin that widened to stereo folded back
        to mono; a head dropped for a plugin's reported latency given back as the silence it is."""
        if out.ndim > 1 and self.channels == 1:
            out = out.mean(axis=0, dtype=np.float32)
        if out.shape[-1] < n:
            # pedalboard compensates a plugin's reported latency by dropping that many samples from the first
            # block after a reset: the missing head is the plugin's delay, so it is silence.
            head = np.zeros((*out.shape[:-1], n - out.shape[-1]), dtype=np.float32)
            out = np.concatenate([head, out], axis=-1)
        return out

    def _widen(self, block: np.ndarray) -> np.ndarray:
        """``block`` as a contiguous (2, frames) array in the chain's own buffer: a mono block on both sides, or a
        strided stereo one (a history segment) copied, so the audio thread allocates nothing here."""
        n = block.shape[-1]
        if 2 * n > self._wide.shape[0]:
            flat = np.empty(2 * n, dtype=np.float32)
            if n <= WIDE_FRAMES:  # a new block size (once per stream); a long primer off the audio thread gets its own
                self._wide = flat
        else:
            flat = self._wide
        wide = flat[: 2 * n].reshape(2, n)
        wide[:] = block  # a mono block broadcasts to both rows
        return wide

    def reset(self) -> None:
        """Clear the plugins' internal state (delay lines, reverb tails)."""
        self.board.reset()
