"""Child for test_device_faults.py: an Engine on its own JACK dummy server, which is shut down mid-stream.

Run in a subprocess because after its JACK server dies PortAudio can neither close the stream nor terminate
(see tests/jack_server.py): the test process must never be the one connected to a dying server. Prints one JSON
report; exiting at all (and with 0) is part of what is tested.
"""

from __future__ import annotations

import json
import os
import sys
import time

from tests.jack_server import JackDummyServer


def wait(predicate, timeout: float) -> float | None:  # noqa: ANN001
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        if predicate():
            return time.monotonic() - began
        time.sleep(0.01)
    return None


def end(server: JackDummyServer) -> None:
    """Stop jackd without terminating PortAudio (stop() would, when the name is ours: see its docstring)."""
    os.environ["JACK_DEFAULT_SERVER"] = "none"
    server.stop()


def main(data_dir: str) -> dict[str, object]:
    server = JackDummyServer(samplerate=48000, period=256)
    os.environ.update(server.env)
    server.start()
    from rlfx_tui.audio.engine import Engine, EngineConfig
    from rlfx_tui.core.session import Session

    report: dict[str, object] = {}
    server.portaudio_device()
    session = Session(data_dir=data_dir, seed=0)
    engine = Engine(session, EngineConfig(source="demo", hostapi="JACK", samplerate=48000, blocksize=256))
    engine.start()
    wait(lambda: engine.callbacks > 50, 5)
    status = engine.status
    report["before"] = {
        "running": status.running,
        "output": status.output_device,
        "callbacks": engine.callbacks,
        "message": status.message,
    }
    report["labels"] = [session.label(True, train=False)]
    server._proc.terminate()  # jackd shuts down (SIGTERM: SIGKILL would leak a slot in JACK's shm registry)
    server._proc.wait(timeout=10)
    report["noticed_after_s"] = wait(lambda: not engine.status.running, 5)
    calls = engine.callbacks
    time.sleep(0.3)
    status = engine.status
    report["after"] = {"running": status.running, "message": status.message, "callbacks": engine.callbacks - calls}
    report["labels"].append(session.label(False, train=False))  # the session is alive
    again = JackDummyServer(samplerate=48000, period=256, name=server.name).start()  # the server is back
    began = time.monotonic()
    engine.restart()
    report["restart_s"] = time.monotonic() - began
    blocks = engine._state.blocks
    time.sleep(0.3)
    status = engine.status
    report["restarted"] = {
        "running": status.running,
        "output": status.output_device,
        "message": status.message,
        "blocks": engine._state.blocks - blocks,
        "descriptors": session.descriptors.tolist(),
    }
    report["labels"].append(session.label(True, train=False))
    began = time.monotonic()
    engine.stop()
    report["stop_s"] = time.monotonic() - began
    end(again)
    end(server)
    return report


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])), flush=True)
