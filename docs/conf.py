"""Sphinx configuration of hfs-detect's documentation (built offline: nothing fetched)."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))
sys.path.insert(0, str(HERE.parent))

import hfs_detect  # noqa: E402

project = "hfs-detect"
author = "hfs-detect developers"
copyright = "2026, hfs-detect developers"  # noqa: A001
release = hfs_detect.__version__
version = release

extensions = [
    "myst_parser",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "cli_reference",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

autosummary_generate = False
autodoc_default_options = {"members": True, "member-order": "bysource"}
autodoc_typehints = "none"  # numpydoc's Parameters sections carry the types
numpydoc_show_class_members = False
numpydoc_validation_checks: set[str] = set()
numpydoc_xref_param_type = False

html_theme = "pydata_sphinx_theme"
html_title = f"hfs-detect {release}"
html_static_path = ["_static"]
html_css_files = ["wrap.css"]
# the measured pages hold wide tables: no section sidebar there (the top bar still links them)
html_sidebars = {"measured/*": []}
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": [],
}
html_context = {"default_mode": "light"}
# nothing from the network: no intersphinx, no web fonts or analytics
html_theme_options["icon_links"] = []
smartquotes = False  # "--engine" stays two hyphens in prose and tables
