"""The README and docs/ stay true to the code: links resolve, the keys table is the app's own, every `rlfx-tui`
command in a shell example parses with the real parser, and the README stays short."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from pathlib import Path

import pytest

from rlfx_tui.cli import SUBCOMMANDS, build_parser
from rlfx_tui.tui.keys import keys_markdown

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").rglob("*.md"))
PAGES = [README, ROOT / "CHANGELOG.md", *DOCS]
README_MAX_LINES = 200

FENCE = re.compile(r"^(```|~~~)(.*?)$(.*?)^\1[ \t]*$", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"!?\[[^\]\n]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
SHELL = {"sh", "shell", "bash", "console"}


def page_id(path: Path) -> str:
    return str(path.relative_to(ROOT))


def prose(text: str) -> str:
    """The text without fenced code blocks and inline code, where brackets are not links."""
    return INLINE_CODE.sub("", FENCE.sub("", text))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[^\w\- ]", "", INLINE_CODE.sub(lambda m: m.group(0)[1:-1], heading).strip().lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    return {slug(m.group(1)) for m in re.finditer(r"^#{1,6}\s+(.*?)\s*#*\s*$", text, re.MULTILINE)}


def broken_links(path: Path) -> list[str]:
    broken = []
    for target in LINK.findall(prose(path.read_text(encoding="utf-8"))):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto: ...: not ours to check
            continue
        file_part, _, anchor = target.partition("#")
        resolved = (path.parent / file_part).resolve() if file_part else path
        if not resolved.exists():
            broken.append(f"{target} (no such file)")
        elif anchor and (resolved.suffix != ".md" or anchor not in anchors(resolved)):
            broken.append(f"{target} (no such heading)")
    return broken


def shell_commands(path: Path) -> list[str]:
    """`rlfx-tui …` lines in the page's shell code blocks, without their trailing comments."""
    commands = []
    for match in FENCE.finditer(path.read_text(encoding="utf-8")):
        if match.group(2).strip().split(" ")[0] not in SHELL:
            continue
        for line in match.group(3).splitlines():
            line = line.strip().removeprefix("$ ")
            if line.startswith("rlfx-tui"):
                commands.append(line.split(" #")[0].strip())
    return commands


@pytest.mark.parametrize("path", PAGES, ids=page_id)
def test_every_relative_link_resolves(path: Path) -> None:
    broken = broken_links(path)
    assert broken == [], f"{page_id(path)}: broken links: {broken}"


def test_the_readme_keys_table_is_the_apps_own() -> None:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"<!-- keys:start -->\n(.*?)<!-- keys:end -->", text, re.DOTALL)
    assert match, "README.md lacks the <!-- keys:start --> ... <!-- keys:end --> block"
    assert match.group(1) == keys_markdown(), "README keys table differs: paste rlfx_tui.tui.keys.keys_markdown()"


def test_the_readme_stays_short() -> None:
    lines = len(README.read_text(encoding="utf-8").splitlines())
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines; move detail into docs/"


def test_the_readme_shows_commands() -> None:
    """Guards the checks below: a README whose examples lost their `sh` fences would pass them vacuously."""
    assert len(shell_commands(README)) >= 5


def parse(argv: list[str]) -> tuple[int | None, str]:
    """Run the real parser in-process: (exit code or None if it parsed, what it printed)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            build_parser().parse_args(argv)
        except SystemExit as exc:
            return int(exc.code or 0), out.getvalue()
    return None, out.getvalue()


@pytest.mark.parametrize("path", PAGES, ids=page_id)
def test_every_command_shown_names_a_real_subcommand_and_parses(path: Path) -> None:
    problems = []
    for command in shell_commands(path):
        argv = shlex.split(command)[1:]
        if argv and not argv[0].startswith("-") and argv[0] not in SUBCOMMANDS:
            problems.append(f"{command}: {argv[0]!r} is not a subcommand ({', '.join(SUBCOMMANDS)})")
            continue
        code, printed = parse(argv)
        if code is not None:
            error = (printed.strip().splitlines() or [""])[-1]  # argparse ends with the error line
            problems.append(f"{command}: the parser refused it (exit {code}): {error}")
    assert problems == [], f"{page_id(path)}:\n" + "\n".join(problems)


def test_every_subcommand_in_the_readme_has_working_help() -> None:
    argvs = [shlex.split(command)[1:] for command in shell_commands(README)]
    shown = sorted({argv[0] for argv in argvs if argv and not argv[0].startswith("-")})
    assert shown, "no subcommand shown in the README's shell examples"
    for name in shown:
        assert name in SUBCOMMANDS, f"README shows `rlfx-tui {name}`, which is not a subcommand"
        code, printed = parse([name, "--help"])
        assert code == 0 and f"rlfx-tui {name}" in printed, f"`rlfx-tui {name} --help` failed: {printed[-300:]}"
