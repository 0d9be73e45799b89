"""Against a real SuperCollider language (Debian's supercollider-language; .ci/system-deps installs it as root).

1. sclang receives /rlfx/params and /rlfx/label from a running `rlfx-tui serve` and prints them.
2. sclang reads an export's standardize.json and mlp.json (its own JSON parser, no FluCoMa) and its forward pass
   matches rlfx-tui's mapping: the files carry everything a patch needs.
3. The exported load.scd runs, with stand-ins for FluCoMa's objects, and maps /rlfx/features like rlfx-tui.
"""

import os
import queue
import shutil
import socket
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from rlfx_tui.interop.flucoma import export_flucoma
from rlfx_tui.session import Session
from tests.core.sounds import feed, noise

SCLANG = shutil.which("sclang")
pytestmark = pytest.mark.sclang


@pytest.fixture(autouse=True)
def _sclang_installed() -> None:
    """`make test` installs it (.ci/system-deps): a missing sclang is a broken setup, not a skip. A failure per test,
    not at import, so `-m "not sclang"` still collects this module on a machine without it."""
    if SCLANG is None:
        pytest.fail(
            "sclang not found: apt-get install supercollider-language (make test does this as root)", pytrace=False
        )


# headless as root: no display for Qt, and QtWebEngine refuses to run as root with its sandbox
ENV = os.environ | {"QT_QPA_PLATFORM": "offscreen", "QTWEBENGINE_DISABLE_SANDBOX": "1"}

PRINT = '{ |msg| ("RLFX" + msg.collect { |x| if(x.isFloat) { x.asStringPrec(17) } { x.asString } }.join(" ")).postln }'
RECEIVER = f"""
OSCdef(\\rlfxParams, {PRINT}, '/rlfx/params');
OSCdef(\\rlfxLabel, {{ |msg| {PRINT}.(msg); AppClock.sched(0.2, {{ 0.exit }}) }}, '/rlfx/label');
AppClock.sched(60, {{ "RLFX TIMEOUT".postln; 0.exit }});
("RLFX READY" + NetAddr.langPort).postln;
"""


def lines_of(proc: subprocess.Popen) -> "queue.Queue[str]":
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in proc.stdout:
            lines.put(line.strip())

    threading.Thread(target=pump, daemon=True).start()
    return lines


def next_line(lines: "queue.Queue[str]", prefix: str, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        if line.startswith(prefix):
            return line
    raise AssertionError(f"no line starting with {prefix!r} within {timeout} s")


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_sclang_receives_params_and_labels_from_serve(tmp_path):
    script = tmp_path / "receive.scd"
    script.write_text(RECEIVER)
    sclang = subprocess.Popen(
        [SCLANG, "-u", str(free_udp_port()), str(script)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=ENV,
        cwd=tmp_path,
    )
    serve = None
    try:
        sc_lines = lines_of(sclang)
        sc_port = int(next_line(sc_lines, "RLFX READY").split()[-1])  # sclang moves on if its port is taken
        control = free_udp_port()
        serve = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "rlfx_tui",
                "--data-dir",
                str(tmp_path / "data"),
                "serve",
                "--osc-out",
                f"127.0.0.1:{sc_port}",
                "--osc-in",
                str(control),
                "--seconds",
                "60",
                "--demo-input",
            ],  # no input at all: serve refuses a like for silence
            stdout=subprocess.PIPE,
            text=True,
        )
        next_line(lines_of(serve), "serving preset")
        first = next_line(sc_lines, "RLFX /rlfx/params").split()[2:]
        space = Session(data_dir=tmp_path / "probe").space
        assert [float(v) for v in first] == pytest.approx(space.as_array(space.default()), rel=1e-6)

        from pythonosc.udp_client import SimpleUDPClient

        client = SimpleUDPClient("127.0.0.1", control)
        client.send_message("/rlfx/randomize", [])
        client.send_message("/rlfx/good", [])
        jumped = [float(v) for v in next_line(sc_lines, "RLFX /rlfx/params").split()[2:]]
        label = next_line(sc_lines, "RLFX /rlfx/label").split()[2:]
        assert sclang.wait(timeout=30) == 0
    finally:
        for proc in (serve, sclang):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=10)
    point = Session(data_dir=tmp_path / "data").points[0]
    on_disk = space.as_array(point.params)
    assert label[:2] == ["1", "1"]
    assert [float(v) for v in label[2:]] == pytest.approx(on_disk, rel=1e-6)  # OSC floats are 32-bit
    assert jumped == pytest.approx(on_disk, rel=1e-6)


FORWARD = """
var dir = "{dir}";
var num = {{ |a| a.collect(_.asFloat) }};
var std = (dir +/+ "standardize.json").parseJSONFile;
var mlp = (dir +/+ "mlp.json").parseJSONFile;
var inputs = (dir +/+ "descriptors.json").parseJSONFile["data"];
inputs.keys.asArray.sort.do {{ |id|
	var h = (num.(inputs[id]) - num.(std["mean"])) / num.(std["std"]).max(2.220446049250313e-16);
	mlp["layers"].do {{ |layer|
		var w = layer["weights"].collect(num), b = num.(layer["biases"]), act = layer["activation"].asInteger;
		var z = b.collect {{ |bj, j| bj + h.collect {{ |hi, i| hi * w[i][j] }}.sum }};
		h = z.collect {{ |v|
			switch(act, 0, {{ v }}, 1, {{ 1 / (1 + v.neg.exp) }}, 2, {{ v.max(0) }}, 3, {{ v.tanh }}) }};
	}};
	("RLFX OUT" + id + h.collect(_.asStringPrec(17)).join(" ")).postln;
}};
"RLFX DONE".postln;
0.exit;
"""


def test_sclang_reads_the_export_and_reproduces_the_mapping(tmp_path):
    session = Session(data_dir=tmp_path / "data", seed=5)
    for i in range(6):
        feed(session, noise(amp=0.05 + 0.1 * i, seed=i))
        session.randomize(1.0)
        session.label(i % 3 != 2, train=False)
    session.retrain()
    out = tmp_path / "export"
    export_flucoma(session, out)
    script = tmp_path / "forward.scd"
    script.write_text(FORWARD.format(dir=out))
    result = subprocess.run(
        [SCLANG, str(script)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=ENV,
        timeout=120,
        cwd=tmp_path,
    )
    rows = [line.split()[2:] for line in result.stdout.splitlines() if line.startswith("RLFX OUT")]
    assert "RLFX DONE" in result.stdout, result.stdout[-2000:]
    assert [int(r[0]) for r in rows] == [p.id for p in session.points]
    for row, point in zip(rows, session.points):
        theirs = np.array([float(v) for v in row[1:]])
        np.testing.assert_allclose(
            theirs, session.learner.mapping_.predict(point.descriptors[None])[0], rtol=0, atol=1e-9
        )


def test_the_shipped_example_patch_runs_and_maps_features_like_rlfx(trained, tmp_path):
    """load.scd as exported, in a real sclang. FluCoMa is not installable here, so sclang_stubs/FluidStubs.sc
    stands in for its four objects (with FluCoMa's arithmetic) and for a booted server; everything else — the
    paths, the JSON, the OSCdef on /rlfx/features, the clipping and denormalisation — is the example's own."""
    import re

    from pythonosc.udp_client import SimpleUDPClient

    out = tmp_path / "export"
    export_flucoma(trained, out)
    stubs = os.path.join(os.path.dirname(__file__), "sclang_stubs")
    (tmp_path / "conf.yaml").write_text(f"includePaths:\n  - {stubs}\nexcludePaths: []\npostInlineWarnings: false\n")
    (tmp_path / "run.scd").write_text(
        'AppClock.sched(60, { "RLFX TIMEOUT".postln; 0.exit });\n'
        f'thisProcess.interpreter.executeFile("{out / "load.scd"}");\n'
        '("RLFX READY" + NetAddr.langPort).postln;\n'
    )
    sclang = subprocess.Popen(
        [SCLANG, "-l", str(tmp_path / "conf.yaml"), "-u", str(free_udp_port()), str(tmp_path / "run.scd")],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=ENV,
        cwd=tmp_path,
    )
    try:
        lines = lines_of(sclang)
        port = int(next_line(lines, "RLFX READY").split()[-1])
        next_line(lines, "rlfx-tui mapping loaded from")
        features = [np.asarray(p.descriptors, dtype=np.float32) for p in trained.points[:3]]
        client = SimpleUDPClient("127.0.0.1", port)
        printed = []
        for x in features:
            client.send_message("/rlfx/features", [float(v) for v in x])
            printed.append(dict(re.findall(r"\[ (\w+), (\S+) \]", next_line(lines, "[ [ "))))
    finally:
        sclang.terminate()
        sclang.wait(timeout=10)
    space = trained.space
    for x, got in zip(features, printed):
        expected = space.denormalize(trained.learner.predict(x.astype(float)))  # = Session.predict() for x
        assert list(got) == list(space.names)
        assert [float(v) for v in got.values()] == pytest.approx([expected[n] for n in space.names], rel=1e-9)
