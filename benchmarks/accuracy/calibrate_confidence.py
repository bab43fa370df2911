"""Calibrate a burst's ``confidence`` on the synthetic dev set; check it on the test set.

    python benchmarks/accuracy/eval_synthetic.py --set dev --out eval-synthetic
    python benchmarks/accuracy/eval_synthetic.py --set test --out eval-synthetic
    python benchmarks/accuracy/calibrate_confidence.py eval-synthetic/dev eval-synthetic/test

``confidence`` is the chance that a burst is a true spasm: a logistic of the
log of its peak departure (in ``threshold_z`` units) and of whether the eye
took part, fitted by maximum likelihood on the dev set's bursts (true = it
matches a true spasm on its side). The fitted coefficients are printed for
``hfs_detect.detector.CONFIDENCE_COEFFICIENTS``; the test set's bursts, which
the fit never saw, are then binned by confidence to show how often each bin's
bursts were true (a reliability table).
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np
import pandas as pd

from hfs_detect.detector import DetectorParams, confidence_features
from hfs_detect.landmarks import DEFAULT_ENGINE
from hfs_detect.review.evaluate import matched_pairs


def labelled_bursts(folder: Path) -> pd.DataFrame:
    """Every predicted burst of an ``eval_synthetic.py`` output folder, with ``true``."""
    rows = []
    for truth_file in sorted((folder / "truth").glob("*.events.csv")):
        name = truth_file.name.removesuffix(".events.csv")
        pred_file = folder / f"pred-{DEFAULT_ENGINE}" / name / "events.csv"
        if not pred_file.is_file():
            continue
        pred, truth = pd.read_csv(pred_file), pd.read_csv(truth_file)
        matched = {j for _, j in matched_pairs(pred, truth)[0]}
        for j, event in enumerate(pred.itertuples()):
            rows.append({"session": name, "peak": event.peak, "eye": "eye" in str(event.regions),
                         "true": j in matched, "confidence": event.confidence})  # fmt: skip
    return pd.DataFrame(rows)


def features(bursts: pd.DataFrame, threshold_z: float) -> np.ndarray:
    return np.array([confidence_features(p, e, threshold_z) for p, e in zip(
        bursts.peak, bursts.eye, strict=True)])  # fmt: skip


def fit_logistic(x: np.ndarray, y: np.ndarray, ridge: float = 1e-2) -> np.ndarray:
    """Maximum-likelihood logistic regression (Newton steps, a small ridge for stability)."""
    w = np.zeros(x.shape[1])
    for _ in range(100):
        p = 1 / (1 + np.exp(-x @ w))
        gradient = x.T @ (y - p) - ridge * w
        hessian = x.T @ (x * (p * (1 - p))[:, None]) + ridge * np.eye(len(w))
        step = np.linalg.solve(hessian, gradient)
        w += step
        if np.abs(step).max() < 1e-8:
            break
    return w


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dev", type=Path, help="eval_synthetic.py --set dev output folder")
    parser.add_argument("test", type=Path, help="eval_synthetic.py --set test output folder")
    args = parser.parse_args()
    threshold_z = DetectorParams().threshold_z
    dev, test = labelled_bursts(args.dev), labelled_bursts(args.test)
    w = fit_logistic(features(dev, threshold_z), dev["true"].to_numpy(float))
    print(f"dev: {len(dev)} bursts, {int(dev['true'].sum())} true")
    print(f"CONFIDENCE_COEFFICIENTS = ({w[0]:.3f}, {w[1]:.3f}, {w[2]:.3f})"
          "  # intercept, log(peak / threshold_z), eye")  # fmt: skip
    p = 1 / (1 + np.exp(-features(test, threshold_z) @ w))
    print(f"\ntest: {len(test)} bursts, {int(test['true'].sum())} true; "
          f"confidence {p.min():.2f}-{p.max():.2f}")  # fmt: skip
    print(f"{'confidence':<12} {'bursts':>7} {'mean confidence':>16} {'share true':>11}")
    edges = [0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0 + 1e-9]
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        inside = (p >= low) & (p < high)
        if inside.any():
            share = test["true"].to_numpy()[inside].mean()
            print(f"{low:.2f}-{min(high, 1):.2f}   {inside.sum():>7} {p[inside].mean():>16.3f} "
                  f"{share:>11.3f}")  # fmt: skip
    brier = float(np.mean((p - test["true"].to_numpy(float)) ** 2))
    base = float(np.mean((test["true"].mean() - test["true"].to_numpy(float)) ** 2))
    print(f"Brier score {brier:.4f} (a constant confidence: {base:.4f})")
    recorded = test["confidence"].to_numpy(float)
    if np.isfinite(recorded).all() and not math.isclose(float(np.abs(recorded - p).max()), 0):
        print("note: the test folder's events.csv were written with other coefficients")


if __name__ == "__main__":
    main()
