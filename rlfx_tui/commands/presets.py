"""`rlfx-tui presets [FILE...]`: list the shipped presets and yours, or validate and show the given files.
`rlfx-tui presets scan PLUGIN [--out FILE]`: a ready preset from a plugin file (VST3; AU on macOS), into your presets
(`<data dir>/presets/`, played by name) unless --out says where (`--out -` prints it)."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import tomllib
from pathlib import Path

from rlfx_tui.core.errors import PresetError, RlfxError
from rlfx_tui.core.plugin_probe import PROBE_TIMEOUT_S
from rlfx_tui.core.presets import DEFAULT_PRESET, Preset, load_preset, resolve_preset, shipped_presets, user_presets
from rlfx_tui.paths import user_presets_dir

HELP = (
    "list the shipped presets and their parameters, validate and show preset files, or scan a plugin into a "
    "preset (presets scan PLUGIN [--out FILE])"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help="preset .toml files to validate and show; or `scan PLUGIN`: write a preset for a "
        "plugin file (.vst3; .component on macOS)",
    )
    parser.add_argument(
        "--out",
        metavar="FILE",
        help="scan: the preset file to write (default: your presets in the data dir, played by name; - prints it)",
    )
    parser.add_argument(
        "--plugin-name", default="", metavar="NAME", help="scan: which plugin, in a bundle that holds several"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        metavar="S",
        help=f"scan: give up on a plugin that takes longer to load (default $RLFX_TUI_PLUGIN_TIMEOUT, "
        f"else {PROBE_TIMEOUT_S:g} s)",
    )
    parser.add_argument("--force", action="store_true", help="scan: replace --out if it exists")


def _scan(args: argparse.Namespace) -> int:
    from rlfx_tui.core.plugin_probe import probe
    from rlfx_tui.core.plugin_scan import scan_text
    from rlfx_tui.core.preset_external import SUFFIXES

    if len(args.files) != 2:
        raise RlfxError("presets scan: give one plugin file, e.g. `rlfx-tui presets scan ~/.vst3/Thing.vst3`")
    plugin = Path(args.files[1]).expanduser()
    type_name = next((t for t, suffix in SUFFIXES.items() if plugin.suffix == suffix), None)
    if type_name is None:
        raise RlfxError(f"{plugin}: expected a plugin file ending in {' or '.join(SUFFIXES.values())}")
    to_stdout = args.out == "-"
    out = None if to_stdout else Path(args.out).expanduser() if args.out else None
    if out is not None and out.suffix != ".toml":
        raise RlfxError(f"{out}: a preset file's name must end in .toml (so --preset reads it as a file)")
    if out is not None and out.exists() and not args.force:
        raise RlfxError(f"{out}: already exists; pass --force to replace it")
    text = scan_text(probe(plugin, args.plugin_name, timeout=args.timeout), type_name)
    if out is None and not to_stdout:  # into your presets, by the plugin's name
        name = str(tomllib.loads(text)["name"])
        if name in shipped_presets():
            raise RlfxError(f"{plugin}: its preset name {name!r} is a shipped preset's; write it with --out FILE")
        out = user_presets_dir(getattr(args, "data_dir", None)) / f"{name}.toml"
        if out.exists() and not args.force:
            raise RlfxError(f"{out}: already exists (a preset scanned before?); pass --force to replace it")
    folder = out.parent if out is not None else Path(tempfile.gettempdir())
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", suffix=".toml", dir=folder, delete=False, encoding="utf-8") as temp:
        temp.write(text)
    try:
        preset = load_preset(temp.name)  # what is written loads as --preset, or nothing is written
        if out is not None:
            os.replace(temp.name, out)
    finally:
        if os.path.exists(temp.name):
            os.unlink(temp.name)
    if out is None:
        print(text, end="")
    else:
        play = preset.name if out.parent == user_presets_dir(getattr(args, "data_dir", None)) else out
        print(
            f"wrote {out}: {len(preset.params)} parameters of {preset.plugins[0].title}; play it with "
            f"`rlfx-tui --preset {play}`"
        )
    return 0


def describe(preset: Preset, default: bool = False) -> str:
    lines = [
        f"{preset.name}{' (default)' if default else ''}: {preset.description}",
        f"  chain: {preset.chain_summary} (ceiling {preset.safety.ceiling_db:g} dBFS)",
    ]
    for plugin in preset.plugins:
        if plugin.external:
            latency = f", reports {plugin.latency_samples} samples of latency" if plugin.latency_samples else ""
            lines.append(
                f"  plugin {plugin.id}: {plugin.title} ({plugin.type}, {plugin.channels} ch{latency}) "
                f"from {plugin.path}"
            )
    for p in preset.params:
        how = "pinned" if p.pinned else "random"
        if p.random_min == p.random_min:  # not NaN: a narrower random range
            how = f"random in [{p.random_min:g}, {p.random_max:g}]"
        if p.values:
            choices = " | ".join(p.shown(k) for k in range(len(p.values)))
            lines.append(f"  {p.name:<16} {choices:<32} default {p.shown(p.default):<8} {how}")
            continue
        lines.append(
            f"  {p.name:<16} {p.min:>9g} .. {p.max:<9g} {p.unit:<5} {p.scale:<6} default {p.default:<8g} {how}"
        )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    if args.files and args.files[0] == "scan" and not Path("scan").exists():
        return _scan(args)
    if args.out or args.plugin_name or args.force:
        raise RlfxError("presets: --out, --plugin-name and --force are for `rlfx-tui presets scan PLUGIN`")
    if args.files:
        shown, missing = [], 0
        for file in args.files:
            try:
                preset = load_preset(file)  # a malformed file raises PresetError → one line, exit 2
            except PresetError as exc:
                if not (exc.key.startswith("plugins[") and exc.key.endswith(".path")):
                    raise
                print(f"rlfx-tui: error: {exc}", file=sys.stderr)  # its plugin is missing: say so, show the rest
                missing += 1
                continue
            shown.append(f"{preset.path}: ok\n{describe(preset)}")
        if shown:
            print("\n\n".join(shown))
        return 2 if missing else 0
    data_dir = getattr(args, "data_dir", None)
    if getattr(args, "preset", None):
        print(describe(resolve_preset(args.preset, data_dir)))
        return 0
    print("\n\n".join(describe(load_preset(path), name == DEFAULT_PRESET) for name, path in shipped_presets().items()))
    yours = user_presets(data_dir)
    if yours:
        print(f"\nYours ({user_presets_dir(data_dir)}):")
    failed = 0
    for path in yours.values():
        try:
            print(f"\n{describe(load_preset(path))}")
        except RlfxError as exc:  # a plugin moved or uninstalled: say so, list the rest
            print(f"\n{path.stem}: cannot be played: {exc}")
            failed += 1
    return 2 if failed else 0
