"""The documentation: it builds offline with warnings as errors, its command-line reference
holds every option of the parser, and a built page shows the report picture and the API."""

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.integration.test_review import _render

pytest.importorskip("sphinx")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The site built as a newcomer builds it: ``sphinx-build -W docs OUT`` (no network)."""
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         str(REPO / "docs"), str(out)],
        capture_output=True, text=True, timeout=600, cwd=REPO,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return out


def test_the_command_line_reference_holds_every_option_of_the_parser(site):
    from hfs_detect.cli import _build_parser

    page = (site / "reference" / "cli.html").read_text()
    parser = _build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    # each command's own section of the page, up to the next command's
    sections = {}
    for name in commands.choices:
        start = page.find(f'id="hfs-detect-{name}"')
        ends = [page.find(f'id="hfs-detect-{other}"', start + 1) for other in commands.choices]
        end = min([e for e in ends if e > start], default=len(page))
        sections[name] = page[start:end] if start >= 0 else ""
    missing = [
        f"{name} {option}"
        for name, command in commands.choices.items()
        for action in command._actions
        if action.help != argparse.SUPPRESS
        for option in action.option_strings
        if f">{option}" not in sections[name]  # the option's own line in the list
    ]
    assert not missing, ", ".join(missing)


def _problems(messages: list[str]) -> list[str]:
    """Console messages but the theme's own note of its colour mode."""
    return [m for m in messages if '"[PST]: ' not in m]


def test_a_built_page_shows_the_report_picture_and_the_api(site, tmp_path):
    import cv2

    assert _problems(_render(site / "index.html", tmp_path / "index.png", tmp_path / "p1")) == []
    shot = cv2.imread(str(tmp_path / "index.png"))
    # the report picture: its green rest shading (#d9f0d3) and the left side's orange traces
    green = (abs(shot[..., 2].astype(int) - 0xD9) < 6) & (abs(shot[..., 1].astype(int) - 0xF0) < 6)
    orange = (abs(shot[..., 2].astype(int) - 0xE8) < 14) & (
        abs(shot[..., 1].astype(int) - 0x87) < 14
    )
    assert green.sum() > 5000 and orange.sum() > 300
    api = (site / "reference" / "api.html").read_text()
    assert 'class="autosummary' in api  # the table of the public API
    for name in ("hfs_detect.analyze_video", "hfs_detect.Settings", "hfs_detect.Summary",
                 "hfs_detect.run_batch", "threshold_z"):  # fmt: skip
        assert name in api, name
    shown = _render(site / "reference" / "api.html", tmp_path / "api.png", tmp_path / "p2")
    assert _problems(shown) == []
