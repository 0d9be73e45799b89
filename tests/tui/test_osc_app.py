"""The real console script in tmux on a preset a patch declared (engine = "osc", features as the context): the
keys jump and label as with audio, the patch receives /rlfx/set for every jump, and the audio panel shows where
the parameters go and how the features arrive instead of meters. The patch is python-osc on one UDP socket."""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import threading
import time

import pytest

from rlfx_tui.core.declared import adopt_declared, declared_preset, with_context
from rlfx_tui.session import Session
from tests.interop.test_osc_outside import DECLARATION, Patch, free_udp_port
from tests.tui.test_tmux import SCRIPT, Tmux

pytestmark = pytest.mark.tmux


def apart(a: list, b: list) -> float:
    """How far two /rlfx/set settings (freq, amp) are, in each knob's share of its range (freq 20–2000 Hz exp)."""

    def unit(m: list) -> tuple[float, float]:
        return math.log(m[1] / 20.0) / math.log(100.0), m[3]

    (fa, aa), (fb, ab) = unit(a), unit(b)
    return max(abs(fa - fb), abs(aa - ab))


def test_the_app_drives_a_patchs_own_synth_from_its_own_features(tmp_path):
    assert shutil.which("tmux"), "tmux is required for this test (apt-get install tmux)"
    data_dir = tmp_path / "data"
    adopt_declared(with_context(declared_preset(DECLARATION), ["amp", "centroid"]), data_dir)
    patch = Patch()
    control = free_udp_port()
    patch.target = ("127.0.0.1", control)
    feeding = threading.Event()
    stop = threading.Event()
    value = {"features": [0.2, 300.0]}

    def send_features() -> None:  # ~10 Hz, as the SuperCollider helper's SendReply does
        while not stop.wait(0.1):
            if feeding.is_set():
                patch.send("/rlfx/features", *value["features"])

    threading.Thread(target=send_features, daemon=True).start()
    tmux = Tmux(tmp_path.name)
    command = (
        f"{SCRIPT} --data-dir {data_dir} --preset mysynth --osc-in {control} "
        f"--osc-out 127.0.0.1:{patch.port}; echo EXITED=$?; sleep 30"
    )
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "110", "LINES": "34"}
    subprocess.run(
        ["tmux", "-L", tmux.socket, "new-session", "-d", "-s", "app", "-x", "110", "-y", "34", command],
        check=True,
        env=env,
        timeout=10,
    )
    try:
        tmux.wait_for("labelled points")
        screen = tmux.wait_for(f"engine: OSC → 127.0.0.1:{patch.port}")
        assert "features: 2, none received yet" in screen and "OSC (the patch makes the sound)" in screen
        tmux.press("Right")  # no features yet: refused, nothing recorded
        tmux.wait_for("not recorded")
        feeding.set()
        tmux.wait_for("features: 2 @ 10 Hz")
        tmux.press("Space")
        jumped = patch.wait_for(lambda: [m for m in patch.of("/rlfx/set") if m[1] != pytest.approx(440.0)])[-1]
        tmux.press("Right")
        tmux.wait_for("✓ good")
        value["features"] = [0.9, 4000.0]
        tmux.press("0")  # strength 100 %: jump anywhere
        tmux.wait_for("strength 100 %")
        second = patch.of("/rlfx/set")[-1]
        for bad in range(1, 21):  # dislike until a setting follow mode can tell apart from the first comes up
            sent = len(patch.of("/rlfx/set"))
            time.sleep(0.3)  # ← again within 250 ms, before the jump it made could be heard, is a bounce
            tmux.press("Left")  # ← jumps away: the first jumps for a sound with no labels go to its least-tried spot
            tmux.wait_for(f"good 1  bad {bad}")
            second = patch.wait_for(lambda: patch.of("/rlfx/set")[sent:])[-1]
            if apart(second, jumped) > 0.3:
                break
        assert apart(second, jumped) > 0.3
        tmux.press("Right")
        tmux.wait_for("good 2  bad")
        tmux.press("f")
        tmux.wait_for("FOLLOW")
        # follow mode: the patch's features pick the liked setting of the sound it plays, sent at the control rate
        patch.wait_for(lambda: apart(patch.of("/rlfx/set")[-1], second) < 0.1)
        value["features"] = [0.2, 300.0]
        patch.wait_for(lambda: apart(patch.of("/rlfx/set")[-1], jumped) < 0.1)
        feeding.clear()  # the patch stops: the context goes stale and the panel says so
        tmux.wait_for("stale")
        tmux.press("q")
        screen = tmux.wait_for("EXITED=")
        assert "EXITED=0" in screen and "Traceback" not in screen
    finally:
        stop.set()
        tmux("kill-server")
        patch.close()
    points = [p for p in Session("mysynth", data_dir=data_dir).points if p.good]
    assert [p.descriptors.tolist() for p in points] == [pytest.approx([0.2, 300.0]), pytest.approx([0.9, 4000.0])]
    assert [points[0].params["freq"], points[0].params["amp"]] == pytest.approx([jumped[1], jumped[3]], rel=1e-6)
