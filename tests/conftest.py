"""Shared fixtures: a private data dir for every test, one real JACK dummy server and one real VST3 plugin (built
from source) per session."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from rlfx_tui.core.training import ProcessTrainer
from tests.jack_server import JackDummyServer, JackError
from tests.plugins import PluginBuildError, build_test_plugin, preset_text
from tests.waiting import wait_for


@pytest.fixture(autouse=True)
def tmp_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Autouse so no test, even one that forgets to ask, can write to the real user data dir."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    monkeypatch.setenv("RLFX_TUI_DATA_DIR", str(data_dir))
    return data_dir


@pytest.fixture
def process_trainer() -> Iterator[ProcessTrainer]:
    """The app's child-process trainer, started before anything (Textual) takes over stderr, as the CLI does."""
    trainer = ProcessTrainer()
    trainer.warm_up()
    yield trainer
    trainer.close()


@pytest.fixture(scope="session")
def jack_server() -> Iterator[JackDummyServer]:
    """A clocked 48 kHz / 256-frame JACK dummy server, with this process's PortAudio pointed at it.

    Fails (never skips) when jackd is missing: CI installs jackd2, and a skipped stream test would hide that
    the real-audio path went untested. Tests get the device index via ``jack_server.portaudio_device()``.
    """
    server = JackDummyServer(samplerate=48000, period=256)
    with pytest.MonkeyPatch.context() as mp:
        for key, value in server.env.items():
            mp.setenv(key, value)  # before PortAudio (re)initialises: libjack reads it when PortAudio connects
        try:
            server.start()
        except JackError as exc:
            pytest.fail(f"JACK test server unavailable: {exc}", pytrace=False)
        try:
            yield server
        finally:
            server.stop()  # inside the env context: stop() must see our name to release PortAudio first


@pytest.fixture(scope="session")
def test_plugin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test plugin's VST3 bundle (tests/plugin_src: gain dB, log-hinted cutoff Hz, mix %, an on/off switch, a
    three-way mode, a bypass; stereo only; reports 64 samples of latency). Fails, never skips, without dpf-source:
    CI installs it (.ci/system-deps), and a skipped plugin test would hide that plugins went untested."""
    try:
        return build_test_plugin(tmp_path_factory.mktemp("plugin"))
    except PluginBuildError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture
def plugin_preset(test_plugin: Path, tmp_path: Path) -> Path:
    """A preset file over the test plugin, with two choice parameters (mode, enabled)."""
    path = tmp_path / "testfilter.toml"
    path.write_text(preset_text(test_plugin))
    return path


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Anything that uses the server carries the `jack` marker, so `-m "not jack"` deselects exactly those tests.
    # Likewise `plugin` for everything that builds the test plugin (dpf-source, g++, make).
    for item in items:
        if "jack_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.jack)
        if "test_plugin" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.plugin)


@pytest.fixture
def beep(jack_server: JackDummyServer) -> Iterator[str]:
    """jack_metro on the test's JACK server: a 440 Hz beep 10 times a second, the 'instrument' the stream tests plug
    into an input. Yields its output port (the test connects it)."""
    name = f"rlfxbeep{os.getpid()}"
    proc = subprocess.Popen(
        ["jack_metro", "-n", name, "-b", "600", "-f", "440", "-A", "0.5", "-D", "50"],
        env={**os.environ, **jack_server.env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        started = wait_for(lambda: proc.poll() is not None or any(p.client == name for p in jack_server.ports()), 5)
        assert started and proc.poll() is None, "jack_metro did not start"
        yield next(p.name for p in jack_server.ports() if p.client == name)
    finally:
        proc.terminate()
        proc.wait(timeout=5)
