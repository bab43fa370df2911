"""``hfs-detect live``: the same bursts as ``analyze``, the window and its flag, errors.

The window test runs the real OpenCV window on a virtual screen (Debian's
``xvfb``) and takes real screenshots of it with python-xlib; it is skipped only
where Xvfb is not installed (``.ci/run`` installs it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hfs_detect.cli import main
from hfs_detect.session import Settings
from tests.conftest import SAMPLES

SAMPLE_SIDES = {"synthetic_hfs_left.mp4": "left", "synthetic_hfs_right.mp4": "right"}


@pytest.mark.parametrize("sample", sorted(SAMPLE_SIDES))
def test_headless_live_finds_the_bursts_analyze_finds(sample, analyzed, tmp_path, capsys):
    """Live and analyze, the same chain: the same bursts and blinks. The session runs
    with a settings file (a verdict threshold that changes nothing here), recorded."""
    out, clinic = tmp_path / "live", tmp_path / "clinic.toml"
    Settings(verdict={"min_rest_s": 9.0}).write(clinic)
    assert main(["live", "--source", str(SAMPLES / sample), "--no-display", "-o", str(out),
                 "--settings", str(clinic)]) == 0  # fmt: skip
    live = pd.read_csv(out / "events.csv")
    offline = analyzed(SAMPLES / sample).events
    assert len(live) == len(offline) >= 3
    assert list(live.side) == list(offline.side) == [SAMPLE_SIDES[sample]] * len(live)
    np.testing.assert_allclose(live.start_s, offline.start_s, atol=0.2)
    live_blinks = pd.read_csv(out / "blinks.csv")  # the same chain: the same blinks
    offline_blinks = analyzed(SAMPLES / sample).blinks
    assert len(live_blinks) == len(offline_blinks) >= 3
    np.testing.assert_allclose(live_blinks.start_s, offline_blinks.start_s, atol=0.05)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["settings_file"] == str(clinic)
    assert summary["parameters"]["verdict"]["min_rest_s"] == 9.0
    assert summary["verdict"] == "unilateral_bursts"
    assert summary["dominant_side"] == SAMPLE_SIDES[sample]
    assert summary["live"]["n_frames_dropped"] == 0  # not real time: every frame analysed
    frames = pd.read_csv(out / "frames.csv")
    assert set(frames.step) == {"session"}
    assert not (out / "video.mp4").exists()  # only with --record-video
    printed = capsys.readouterr().out
    assert f"verdict: unilateral_bursts ({SAMPLE_SIDES[sample]} side)" in printed
    assert f"blinks: {summary['blinks']['n_blinks']} at rest" in printed


def test_protocol_steps_are_recorded_and_tasks_are_never_rest(tmp_path):
    protocol = tmp_path / "short.toml"
    protocol.write_text(
        'name = "short"\n'
        '[[step]]\nname = "calibration"\nduration_s = 9\nrest = true\ninstruction = "Relax."\n'
        '[[step]]\nname = "talking"\nduration_s = 6\nrest = false\ninstruction = "Count aloud."\n'
        '[[step]]\nname = "smile"\nduration_s = 3\nrest = false\ncheck = "synkinesis"\n'
    )
    out = tmp_path / "session"
    sample = SAMPLES / "synthetic_hfs_right.mp4"
    args = ["live", "--source", str(sample), "--protocol", str(protocol), "--no-display"]
    assert main([*args, "-o", str(out)]) == 0
    frames = pd.read_csv(out / "frames.csv")
    assert list(dict.fromkeys(frames.step)) == ["calibration", "talking", "smile"]
    assert not frames.rest[frames.step != "calibration"].any()
    assert frames.time_s.max() < 18.0  # the session ends with the protocol
    summary = json.loads((out / "summary.json").read_text())
    assert summary["protocol"]["name"] == "short"
    steps = {s["step"]: s for s in summary["steps"]}
    assert steps["talking"]["rest_s"] == 0 and steps["talking"]["n_events"] == 0
    assert "eye_narrowing_left" in steps["smile"]
    events = pd.read_csv(out / "events.csv")
    assert (events.start_s < 9.0).all()
    assert not any("not done" in w for w in summary["warnings"])  # the whole protocol ran


def test_a_protocol_stopped_before_its_end_names_the_steps_never_done(tmp_path, capsys):
    protocol = tmp_path / "long.toml"
    protocol.write_text(
        'name = "long"\n'
        '[[step]]\nname = "calibration"\nduration_s = 9\nrest = true\ninstruction = "Relax."\n'
        '[[step]]\nname = "rest"\nduration_s = 30\nrest = true\ninstruction = "Relax."\n'
        '[[step]]\nname = "talking"\nduration_s = 6\nrest = false\ninstruction = "Count."\n'
    )
    out = tmp_path / "session"
    sample = SAMPLES / "synthetic_hfs_left.mp4"  # 20 s: it ends during the second step
    args = ["live", "--source", str(sample), "--protocol", str(protocol), "--no-display"]
    assert main([*args, "-o", str(out)]) == 0
    (warning,) = json.loads((out / "summary.json").read_text())["warnings"]
    assert warning.startswith("the session ended (end of source) during step 2 of 3 ('rest')")
    assert "'talking' not done" in warning
    printed = capsys.readouterr()
    assert "'talking' not done" in printed.err
    assert "one-sided contraction bursts at rest" in printed.out  # the verdict's reason


def test_a_provocation_step_gives_the_same_figures_live_and_in_analyze_steps(tmp_path):
    """The right-sided sample with 7-11 s as a pursing step: its bursts during the step
    and the 5 s after it are provoked, reported for the step, the same in both runs."""
    protocol = tmp_path / "provoke.toml"
    protocol.write_text(
        '[[step]]\nname = "calibration"\nduration_s = 7\n'
        '[[step]]\nname = "pursing"\nduration_s = 4\nprovocation = "pursing"\n'
        '[[step]]\nname = "rest"\nduration_s = 9\n'
    )
    sample = SAMPLES / "synthetic_hfs_right.mp4"
    live, offline = tmp_path / "live", tmp_path / "analyze"
    args = ["live", "--source", str(sample), "--protocol", str(protocol), "--no-display"]
    assert main([*args, "-o", str(live)]) == 0
    assert main(["analyze", str(sample), "-o", str(offline), "--steps", "pursing=0:07-0:11"]) == 0
    steps = []
    for out in (live, offline):
        summary = json.loads((out / "summary.json").read_text())
        (step,) = [s for s in summary["steps"] if s["provocation"] == "pursing"]
        steps.append({k: v for k, v in step.items() if k != "step"})
        events = pd.read_csv(out / "events.csv")
        provoked = events[events.provoked]
        assert step["n_events"] == len(provoked) >= 1  # the sample's bursts at 7-16 s
        assert (provoked.side == "right").all() and (provoked.start_s >= 7.0).all()
        assert summary["n_events"] == int((~events.provoked).sum())  # at rest only
        frames = pd.read_csv(out / "frames.csv")
        assert not frames.rest[(frames.time_s >= 7.0) & (frames.time_s < 16.0)].any()
    assert steps[0] == steps[1]
    np.testing.assert_allclose(
        pd.read_csv(live / "events.csv").start_s, pd.read_csv(offline / "events.csv").start_s
    )


def test_record_video_saves_the_analysed_frames(tmp_path):
    import cv2

    out = tmp_path / "rec"
    sample = SAMPLES / "synthetic_hfs_left.mp4"
    args = ["live", "--source", str(sample), "--no-display", "--record-video", "-o", str(out)]
    assert main(args) == 0
    cap = cv2.VideoCapture(str(out / "video.mp4"))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 600
    cap.release()
    # the same folder again without a recording: the earlier face is not left beside it
    assert main(args[:-3] + ["-o", str(out)]) == 0
    assert not (out / "video.mp4").exists()
    assert json.loads((out / "summary.json").read_text())["live"]["video_recorded"] is False


def _run_cli(
    *args: str, env: dict | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "hfs_detect", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def test_a_camera_that_does_not_exist_gives_one_line(tmp_path):
    result = _run_cli("live", "--camera", "9", "--no-display", "-o", str(tmp_path / "x"))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "hfs-detect: error: camera 9 could not be opened (is it connected and not in use?)"
    ]
    assert not (tmp_path / "x" / "summary.json").exists()


def test_no_screen_without_no_display_gives_one_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    sample = str(SAMPLES / "synthetic_hfs_left.mp4")
    result = subprocess.run(
        [sys.executable, "-m", "hfs_detect", "live", "--source", sample],
        capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "hfs-detect: error: no display found (DISPLAY is not set): use --no-display"
    ]


def test_a_bad_protocol_file_gives_one_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[step]]\nname = "rest"\nduration_s = -3\n')
    sample = str(SAMPLES / "synthetic_hfs_left.mp4")
    result = _run_cli(
        "live",
        "--source",
        sample,
        "--protocol",
        str(bad),
        "--no-display",
        "-o",
        str(tmp_path / "o"),
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"hfs-detect: error: invalid protocol {bad}: "
        "step 'rest' needs duration_s, a positive number"
    ]


# -- the window, on a virtual screen ---------------------------------------------------------


@pytest.fixture
def virtual_screen():
    """A running Xvfb display (``:NN``); skipped where Xvfb is not installed."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.skip("Xvfb not installed (Debian: apt-get install xvfb)")
    pytest.importorskip("Xlib")
    number = next(n for n in range(90, 200) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    proc = subprocess.Popen(
        [xvfb, f":{number}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    socket = Path(f"/tmp/.X11-unix/X{number}")
    deadline = time.monotonic() + 10
    while not socket.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert socket.exists(), "Xvfb did not start"
    yield f":{number}"
    proc.terminate()
    proc.wait(timeout=10)


def _find_window(root, title: str):
    for child in root.query_tree().children:
        if child.get_wm_name() == title:
            return child
        found = _find_window(child, title)
        if found is not None:
            return found
    return None


def _screenshot(display, window) -> np.ndarray:
    """The window's pixels as RGB, taken from the screen (what a person would see)."""
    from Xlib import X

    root = display.screen().root
    geometry = window.get_geometry()
    origin = window.translate_coords(root, 0, 0)
    x, y = -origin.x, -origin.y
    raw = root.get_image(x, y, geometry.width, geometry.height, X.ZPixmap, 0xFFFFFFFF)
    bgrx = np.frombuffer(raw.data, np.uint8).reshape(geometry.height, geometry.width, 4)
    return bgrx[..., 2::-1].copy()


def _flag_band(rgb: np.ndarray, preview_w: int) -> dict[str, float]:
    """Share of pure-red pixels in the flag band over each half of the preview."""
    from hfs_detect.live.view import FLAG_BAND_PX

    band = rgb[4 : FLAG_BAND_PX - 4]
    red = (band[..., 0] > 230) & (band[..., 1] < 30) & (band[..., 2] < 30)
    half = preview_w // 2
    return {
        "left": float(red[:, :half].mean()),
        "right": float(red[:, preview_w - half : preview_w].mean()),
    }


@pytest.mark.parametrize("sample", sorted(SAMPLE_SIDES))
def test_live_window_flags_the_burst_on_the_patients_side(sample, virtual_screen, tmp_path):
    from Xlib import display as xdisplay

    from hfs_detect.live.view import PREVIEW_HEIGHT_PX, WINDOW_TITLE

    side = SAMPLE_SIDES[sample]
    out = tmp_path / "live"
    env = {**os.environ, "DISPLAY": virtual_screen}
    proc = subprocess.Popen(
        [sys.executable, "-m", "hfs_detect", "live", "--source", str(SAMPLES / sample),
         "--realtime", "-o", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    screen = xdisplay.Display(virtual_screen)
    window, shots = None, []
    try:
        while proc.poll() is None:
            window = window or _find_window(screen.screen().root, WINDOW_TITLE)
            if window is not None:
                try:
                    shots.append(_screenshot(screen, window))
                except Exception:  # the window closed between the check and the grab
                    break
            time.sleep(0.2)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, stderr
    assert window is not None, "the live window never appeared"
    # the window's first frames can come before it takes its size
    shots = [shot for shot in shots if shot.shape[0] == PREVIEW_HEIGHT_PX]
    assert shots, "no screenshot of the live window at its size"
    # the preview's width: the sample's aspect ratio at the preview height
    import cv2

    cap = cv2.VideoCapture(str(SAMPLES / sample))
    w, h = cap.get(cv2.CAP_PROP_FRAME_WIDTH), cap.get(cv2.CAP_PROP_FRAME_HEIGHT)
    cap.release()
    preview_w = int(round(w * PREVIEW_HEIGHT_PX / h))
    bands = [_flag_band(shot, preview_w) for shot in shots]
    flagged = [k for k, b in enumerate(bands) if b[side] > 0.5]
    assert flagged, "no screenshot shows the burst flag"
    other = "right" if side == "left" else "left"
    assert all(b[other] < 0.05 for b in bands), "a flag was drawn on the wrong side"
    cv2.imwrite(
        str(tmp_path / f"flag_{side}.png"), cv2.cvtColor(shots[flagged[0]], cv2.COLOR_RGB2BGR)
    )
    # the face is visible in the preview and the flag is not the whole picture
    assert shots[flagged[0]][120:, :preview_w].std() > 20
    summary = json.loads((out / "summary.json").read_text())
    assert summary["dominant_side"] == side
    assert f"({side} side)" in stdout
    # --realtime: frames come at the file's pace, and a frame not yet taken when the next
    # arrives is dropped rather than queued
    live = summary["live"]
    assert live["realtime"] is True
    assert live["n_frames_analysed"] + live["n_frames_dropped"] == live["n_frames_read"] == 600
    assert live["latency_ms_p50"] is not None and live["latency_ms_p95"] >= live["latency_ms_p50"]
    assert live["n_flags"] >= 3  # each burst was flagged while it happened


def _press(screen, key: str) -> None:
    from Xlib import XK, X
    from Xlib.ext import xtest

    code = screen.keysym_to_keycode(XK.string_to_keysym(key))
    xtest.fake_input(screen, X.KeyPress, code)
    xtest.fake_input(screen, X.KeyRelease, code)
    screen.sync()


def test_keys_mark_a_moment_and_stop_and_save(virtual_screen, tmp_path):
    from Xlib import display as xdisplay

    from hfs_detect.live.view import WINDOW_TITLE

    out = tmp_path / "keys"
    env = {**os.environ, "DISPLAY": virtual_screen}
    proc = subprocess.Popen(
        [sys.executable, "-m", "hfs_detect", "live", "--source",
         str(SAMPLES / "synthetic_hfs_left.mp4"), "--realtime", "-o", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    screen = xdisplay.Display(virtual_screen)
    try:
        deadline = time.monotonic() + 60
        window = None
        while window is None and time.monotonic() < deadline and proc.poll() is None:
            window = _find_window(screen.screen().root, WINDOW_TITLE)
            time.sleep(0.1)
        assert window is not None, "the live window never appeared"
        window.set_input_focus(0, 0)  # X.RevertToNone
        screen.sync()
        focus_deadline = time.monotonic() + 10  # a busy machine gives focus late
        while screen.get_input_focus().focus != window and time.monotonic() < focus_deadline:
            time.sleep(0.05)
        time.sleep(2.0)
        _press(screen, "m")
        time.sleep(2.0)
        _press(screen, "q")
        time.sleep(0.5)
        _press(screen, "q")  # closes the end-of-session summary at once
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["live"]["ended_by"] == "stopped"
    assert len(summary["marks"]) == 1 and 0.5 < summary["marks"][0]["time_s"] < 10
    frames = pd.read_csv(out / "frames.csv")
    assert frames.time_s.max() < 15  # stopped well before the 20 s sample ended
    assert "(stopped)" in stdout


def test_the_printed_default_protocol_is_a_valid_protocol_file(tmp_path, capsys):
    from hfs_detect.session.protocol import load_protocol

    assert main(["live", "--print-protocol"]) == 0
    mine = tmp_path / "mine.toml"
    mine.write_text(capsys.readouterr().out)
    protocol = load_protocol(mine)
    assert protocol == load_protocol("default")
    assert [s.rest for s in protocol.steps] == [True, True, True, False, False, False, False, True]
    assert [s.provocation for s in protocol.steps if s.provocation] == [
        "pursing", "smile", "closure",
    ]  # fmt: skip
    assert protocol.duration_s == 150


def test_ctrl_c_at_any_moment_saves_the_whole_session_once(tmp_path):
    """Ctrl-C lands mid-frame (the feed thread raises it while a frame is analysed), and
    an impatient second Ctrl-C follows: the session is saved whole, from the frames
    analysed (a half-analysed frame gave 'internal error' and nothing saved)."""
    import signal

    from hfs_detect import open_video
    from hfs_detect.live import run_live

    source = open_video(SAMPLES / "synthetic_hfs_left.mp4")
    frames = iter(source)

    class Interrupted:  # the same file, with the user pressing Ctrl-C twice at frame 90
        name, fps, width, height = source.name, source.fps, source.width, source.height

        def __iter__(self):
            for k, frame in enumerate(frames):
                if k in (90, 91):
                    os.kill(os.getpid(), signal.SIGINT)
                yield frame

    before = signal.getsignal(signal.SIGINT)  # what the session must give back
    out = tmp_path / "stopped"
    result = run_live(Interrupted(), out, display=False, linger_s=0)
    assert result.ended_by == "interrupted"
    summary = json.loads((out / "summary.json").read_text())
    table = pd.read_csv(out / "frames.csv")
    assert 85 <= summary["n_frames"] == len(table) < 600
    assert summary["live"]["ended_by"] == "interrupted"
    assert signal.getsignal(signal.SIGINT) is before  # given back
