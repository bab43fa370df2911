"""The command line's own parts: every command teaches in its --help, and one settings object
is built from --settings FILE and the flags (a flag given wins over the file)."""

import tomllib

import pytest

from hfs_detect.cli import _build_parser, _settings, main
from hfs_detect.session import Settings

COMMANDS = ("analyze", "live", "batch", "report", "export", "compare", "synth", "evaluate", "tune",
            "settings", "info")  # fmt: skip


def test_every_command_has_help_with_an_example_or_a_description():
    parser = _build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(sub.choices) == set(COMMANDS)
    for name, command in sub.choices.items():
        text = command.format_help()
        assert command.description, name
        assert name == "info" or "example" in text, name


def test_the_flags_given_win_over_the_settings_file(tmp_path):
    path = Settings(engine="mediapipe", max_faces=2, detector={"threshold_z": 5.0}).write(
        tmp_path / "clinic.toml"
    )
    args = _build_parser().parse_args(
        ["analyze", "v.mp4", "-o", "out", "--settings", str(path), "--threshold-z", "6"]
    )
    settings = _settings(args)
    assert settings.engine == "mediapipe" and settings.max_faces == 2  # from the file
    assert settings.detector.threshold_z == 6.0  # the flag
    plain = _settings(_build_parser().parse_args(["analyze", "v.mp4", "-o", "out"]))
    assert plain == Settings()


def test_the_settings_command_prints_a_file_analyze_reads_back(tmp_path, capsys):
    assert main(["settings", "--threshold-z", "5", "--engine", "mediapipe"]) == 0
    printed = capsys.readouterr().out
    data = tomllib.loads(printed)
    assert data["detector"]["threshold_z"] == 5.0 and data["engine"] == "mediapipe"
    (tmp_path / "s.toml").write_text(printed)
    assert Settings.read(tmp_path / "s.toml") == Settings(
        engine="mediapipe", detector={"threshold_z": 5.0}
    )


@pytest.mark.parametrize(
    ("argv", "words"),
    [(["settings", "--max-faces", "0"], "--max-faces must be at least 1"),
     (["settings", "--settings", "nowhere.toml"], "settings file not found: nowhere.toml"),
     (["analyze", "v.mp4", "-o", "o", "--rest", "5-1"], "invalid rest interval '5-1'")],
)  # fmt: skip
def test_a_bad_setting_is_one_line_and_exit_1(argv, words, capsys):
    assert main(argv) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and words in err[0]
