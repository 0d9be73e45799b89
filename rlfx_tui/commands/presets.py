"""`rlfx-tui presets [FILE...]`: list the shipped presets, or validate and show the given files."""

from __future__ import annotations

import argparse

from rlfx_tui.core.presets import DEFAULT_PRESET, Preset, load_preset, resolve_preset, shipped_presets

HELP = "list the shipped presets and their parameters, or validate and show preset files"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="*", metavar="FILE", help="preset .toml files to validate and show")


def describe(preset: Preset, default: bool = False) -> str:
    lines = [f"{preset.name}{' (default)' if default else ''}: {preset.description}",
             f"  chain: {preset.chain_summary} (ceiling {preset.safety.ceiling_db:g} dBFS)"]
    for p in preset.params:
        how = "pinned" if p.pinned else "random"
        if p.random_min == p.random_min:  # not NaN: a narrower random range
            how = f"random in [{p.random_min:g}, {p.random_max:g}]"
        lines.append(f"  {p.name:<16} {p.min:>9g} .. {p.max:<9g} {p.unit:<5} {p.scale:<6} default {p.default:<8g} "
                     f"{how}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    if args.files:
        presets = [load_preset(f) for f in args.files]  # the first bad file raises PresetError → one line, exit 2
        print("\n\n".join(f"{p.path}: ok\n{describe(p)}" for p in presets))
        return 0
    if getattr(args, "preset", None):
        print(describe(resolve_preset(args.preset, getattr(args, "data_dir", None))))
        return 0
    print("\n\n".join(describe(load_preset(path), name == DEFAULT_PRESET) for name, path in shipped_presets().items()))
    return 0
