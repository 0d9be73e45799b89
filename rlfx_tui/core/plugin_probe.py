"""Looking inside a plugin file without risking the caller: the plugin is loaded in a child Python process.

Loading a plugin runs its code: a truncated or broken binary can kill the process that loads it (SIGBUS, SIGSEGV)
and some plugins take over a minute to load. So `probe` runs ``python -m rlfx_tui.core.plugin_probe PATH [NAME]``,
which loads it once, prints what it found as JSON and exits; a crash, a hang past the timeout or a load failure
comes back as a PluginLoadError of one line. The preset loader checks `[[params]]` against the result, the scanner
writes a preset from it, and only then does the chain load the plugin in-process (a plugin that passed the probe).

What the child reports per parameter is pedalboard's view of it (`plugin.parameters`): the Python name (``gain_db``,
``cutoff_hz``), the plugin's own name and unit, its range, whether it is automatable, its current (default) value,
and the values of a discrete one with few steps (a switch, a mode). It also tries a mono block, then a stereo one,
to learn the channel count the plugin runs at, and reads the latency it reports.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rlfx_tui.core.errors import RlfxError

PROBE_TIMEOUT_S = 120.0  # some real plugins take over a minute to load (ZamVerb: over 4 min on a busy machine)
TIMEOUT_ENV = "RLFX_TUI_PLUGIN_TIMEOUT"  # seconds, for presets of plugins slower than that
MAX_CHOICES = 32  # a discrete parameter with more steps than this is treated as a number
_cache: dict[tuple[str, str, int], PluginInfo] = {}


class PluginLoadError(RlfxError):
    """A plugin file could not be loaded (missing, not a plugin, crashed or hung while loading): one line."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path, self.reason = path, reason
        super().__init__(f"{path}: {reason}")


@dataclass(frozen=True)
class ParamInfo:
    name: str  # the Python name pedalboard gives it (the preset's `attribute`)
    label: str  # the plugin's own name for it
    units: str
    kind: str  # "float", "str" or "bool": the type pedalboard takes and gives back
    min: float | None
    max: float | None
    default: float | str | bool
    automatable: bool
    values: tuple[float | str | bool, ...]  # a discrete parameter's values, when it has at most MAX_CHOICES

    def describe(self) -> str:
        if self.values:
            return f"{self.name} (one of {list(self.values)})"
        return f"{self.name} ({self.min:g} .. {self.max:g}{' ' + self.units if self.units else ''})"


@dataclass(frozen=True)
class PluginInfo:
    path: Path
    name: str
    plugin_name: str  # the one chosen in a bundle of several ("" when the bundle holds one)
    channels: int
    latency_samples: int
    params: tuple[ParamInfo, ...]

    def param(self, name: str) -> ParamInfo | None:
        return next((p for p in self.params if p.name == name), None)


def _stamp(path: Path) -> int:
    """Newest modification time in a bundle: a rebuilt plugin is probed again."""
    stamps = [path.stat().st_mtime_ns]
    if path.is_dir():
        stamps += [p.stat().st_mtime_ns for p in path.rglob("*") if p.is_file()]
    return max(stamps)


def probe(path: Path, plugin_name: str = "", timeout: float | None = None) -> PluginInfo:
    """What the plugin at `path` exposes, learnt in a child process (cached per file version). The timeout
    defaults to $RLFX_TUI_PLUGIN_TIMEOUT, else PROBE_TIMEOUT_S."""
    path = Path(path)
    if timeout is None:
        try:
            timeout = float(os.environ.get(TIMEOUT_ENV, PROBE_TIMEOUT_S))
        except ValueError:
            raise PluginLoadError(path, f"${TIMEOUT_ENV} must be a number of seconds") from None
    if not path.exists():
        raise PluginLoadError(path, "no such file or directory")
    key = (str(path), plugin_name, _stamp(path))
    if key in _cache:
        return _cache[key]
    command = [sys.executable, "-m", "rlfx_tui.core.plugin_probe", str(path), plugin_name]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).parents[2]), os.environ.get("PYTHONPATH")])),
    }
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, env=env, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired:
        raise PluginLoadError(
            path,
            f"the plugin did not finish loading within {timeout:g} s (it hangs, or takes "
            f"longer: give it more with --timeout or ${TIMEOUT_ENV})",
        ) from None
    if done.returncode < 0:
        try:
            how = signal.Signals(-done.returncode).name
        except ValueError:
            how = f"signal {-done.returncode}"
        raise PluginLoadError(path, f"the plugin crashed while loading ({how}): a broken or truncated binary?")
    lines = done.stdout.strip().splitlines()
    try:
        report = json.loads(lines[-1]) if lines else {}
    except json.JSONDecodeError:
        report = {}
    if done.returncode != 0 or "error" in report or "params" not in report:
        why = report.get("error") or (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        raise PluginLoadError(path, " ".join(str(why).replace(str(path), path.name).split()))
    info = PluginInfo(
        path,
        report["name"],
        report["plugin_name"],
        int(report["channels"]),
        int(report["latency_samples"]),
        tuple(ParamInfo(**{**p, "values": tuple(p["values"])}) for p in report["params"]),
    )
    _cache[key] = info
    return info


# -- the child's side -----------------------------------------------------------------------------------------------
def _value(value: Any, kind: str) -> float | str | bool:
    return bool(value) if kind == "bool" else str(value) if kind == "str" else float(value)


def _describe(path: str, plugin_name: str) -> dict[str, Any]:
    import numpy as np
    import pedalboard

    host = pedalboard.VST3Plugin if path.endswith(".vst3") else getattr(pedalboard, "AudioUnitPlugin", None)
    names = host.get_plugin_names_for_file(path) if host is not None else []
    if len(names) > 1 and plugin_name not in names:
        what = "plugin_name, one of" if not plugin_name else f"plugin_name {plugin_name!r} is not in it; one of"
        return {"error": f"the bundle holds {len(names)} plugins: {what} {names}"}
    plugin: Any = pedalboard.load_plugin(path, plugin_name=plugin_name or None)
    params = []
    for name, p in plugin.parameters.items():
        kind = {str: "str", bool: "bool"}.get(p.type, "float")
        values = list(p.valid_values) if p.is_discrete and 1 < len(p.valid_values) <= MAX_CHOICES else []
        params.append(
            {
                "name": name,
                "label": p.name,
                "units": (p.units or "").strip(),
                "kind": kind,
                "min": None if p.min_value is None else float(p.min_value),
                "max": None if p.max_value is None else float(p.max_value),
                "default": _value(getattr(plugin, name), kind),
                "automatable": bool(p.is_automatable),
                "values": [_value(v, kind) for v in values],
            }
        )
    channels = 0
    for count in (1, 2):
        try:
            plugin.process(np.zeros((count, 256), dtype=np.float32), 48000.0)
        except ValueError:
            continue
        channels = count
        break
    if not channels:
        return {"error": "the plugin processes neither mono nor stereo audio (an instrument?)"}
    return {
        "name": plugin.name,
        "plugin_name": plugin_name if len(names) > 1 else "",
        "channels": channels,
        "latency_samples": int(plugin.reported_latency_samples),
        "params": params,
    }


def main(argv: list[str]) -> int:
    path, plugin_name = argv[0], argv[1] if len(argv) > 1 else ""
    try:
        report = _describe(path, plugin_name)
    except Exception as exc:  # noqa: BLE001 - ImportError for a bad bundle; whatever a plugin raises, said in one line
        report = {"error": str(exc) or type(exc).__name__}
    print(json.dumps(report), flush=True)
    return 3 if "error" in report else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
