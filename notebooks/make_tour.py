# ruff: noqa: E501  (the notebook cells are code strings)
"""Write hfs_detect_tour.ipynb (run once; the notebook is committed without outputs)."""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

cells = [
    new_markdown_cell(
        "# hfs-detect: a tour\n\n"
        "Analyse a shipped synthetic sample (left-sided spasms), load the tables with pandas, "
        "plot the left and right eye, and compare two sessions. Everything runs on this "
        "machine with the model shipped in `models/`.\n\n"
        "*A screening and research aid, not a diagnosis.*"
    ),
    new_code_cell(
        "import tempfile\n"
        "from pathlib import Path\n\n"
        "import matplotlib.pyplot as plt\n"
        "import pandas as pd\n\n"
        "import hfs_detect\n\n"
        "SAMPLES = Path('..') / 'samples'\n"
        "WORK = Path(tempfile.mkdtemp(prefix='hfs-tour-'))\n"
        "print('hfs-detect', hfs_detect.__version__, '- outputs in', WORK)"
    ),
    new_markdown_cell(
        "## Analyse one video\n`analyze_video` writes the output contract and returns the tables."
    ),
    new_code_cell(
        "left = hfs_detect.analyze_video(SAMPLES / 'synthetic_hfs_left.mp4', WORK / 'left')\n"
        "s = left.summary.statistics  # the typed summary.json\n"
        'print(f"verdict: {s.verdict} ({s.dominant_side}), {s.n_events} bursts in "\n'
        '      f"{s.rest_s:.1f} s of rest, {s.events_per_rest_min:.1f} per rest-minute")\n'
        "print('landmarks by', left.summary.provenance.landmark_engine, '-',\n"
        "      left.summary.provenance.landmark_engine_reason)\n"
        "left.events"
    ),
    new_markdown_cell("## Load the tables from disk with pandas"),
    new_code_cell(
        "frames = pd.read_parquet(WORK / 'left' / 'frames.parquet')\n"
        "events = pd.read_csv(WORK / 'left' / 'events.csv')\n"
        "frames[['time_s', 'face', 'rest', 'burst', 'eye_aperture_left', 'eye_aperture_right']].describe()"
    ),
    new_markdown_cell("## Plot the left and right eye, rest and bursts"),
    new_code_cell(
        "fig, ax = plt.subplots(figsize=(10, 3))\n"
        "for side, colour in (('left', '#e8871e'), ('right', '#1f9bd1')):\n"
        "    ax.plot(frames.time_s, frames[f'eye_aperture_{side}'], color=colour, lw=0.8,\n"
        '            label=f"patient\'s {side} eye")\n'
        "for e in events.itertuples():\n"
        "    ax.axvspan(e.start_s, e.end_s, color='#e8871e' if e.side == 'left' else '#1f9bd1', alpha=0.2)\n"
        "ax.fill_between(frames.time_s, 0, 1, where=~frames.rest, transform=ax.get_xaxis_transform(),\n"
        "                color='grey', alpha=0.15, lw=0, label='not at rest')\n"
        "ax.set_xlabel('time (s)')\n"
        "ax.set_ylabel('eye aperture')\n"
        "ax.legend(loc='lower right')\n"
        "plt.show()"
    ),
    new_markdown_cell(
        "## Grading: the clinical scales' video proxies\nJankovic frequency band, SMC grade, "
        "Nomura & Sakai's tonic component and the clonic rate (proxies, not a diagnosis)."
    ),
    new_code_cell("pd.Series(left.summary.grading.to_dict())"),
    new_markdown_cell(
        "## Compare two sessions\nAs before and after treatment: here the left-sided sample "
        "against the right-sided one. Both are graded on the first visit's affected side."
    ),
    new_code_cell(
        "from hfs_detect.review.compare import compare_sessions\n\n"
        "right = hfs_detect.analyze_video(SAMPLES / 'synthetic_hfs_right.mp4', WORK / 'right')\n"
        "result = compare_sessions(WORK / 'left', WORK / 'right')\n"
        "changes = pd.DataFrame(result['changes']).T\n"
        "print(result['side'])\n"
        "changes"
    ),
    new_code_cell(
        "# what this tour shows, checked (the tests run this notebook)\n"
        "assert s.verdict == 'unilateral_bursts' and s.dominant_side == 'left'\n"
        "assert right.summary.statistics.dominant_side == 'right'\n"
        "assert set(events.side) == {'left'} and len(events) == s.n_events\n"
        "assert changes.loc['events_per_rest_min_left', 'after'] == 0\n"
        "assert left.summary.grading.smc_grade in ('I', 'II')\n"
        "assert changes.loc['grading_jankovic_frequency', 'after'] == 0"
    ),
]
notebook = new_notebook(
    cells=cells,
    metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    },
)
nbformat.write(notebook, Path(__file__).with_name("hfs_detect_tour.ipynb"))
