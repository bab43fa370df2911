"""The tour notebook runs from top to bottom (so it never rots)."""

from __future__ import annotations

import pytest

from tests.conftest import REPO


def test_the_tour_notebook_executes(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    path = REPO / "notebooks" / "hfs_detect_tour.ipynb"
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=600, kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )  # fmt: skip
    client.execute()  # raises CellExecutionError, with the cell and traceback, on any failure
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert any(o.get("output_type") == "display_data" and "image/png" in o.get("data", {})
               for o in outputs), "the plot was not drawn"  # fmt: skip
    text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    assert "verdict: unilateral_bursts (left)" in text
    nbformat.write(notebook, tmp_path / "executed.ipynb")
