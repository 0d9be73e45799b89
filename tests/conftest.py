"""Shared fixtures: a private data dir for every test, and one real JACK dummy server per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from rlfx_tui.core.training import ProcessTrainer
from tests.jack_server import JackDummyServer, JackError


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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Anything that uses the server carries the `jack` marker, so `-m "not jack"` deselects exactly those tests.
    for item in items:
        if "jack_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.jack)
