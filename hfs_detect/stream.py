"""The per-frame chain: landmarks -> signals -> rest -> detector, one frame at a time.

:class:`SessionStream` takes one frame and returns that frame's row (with its
rest state and the side of any burst in progress) and the bursts that just
ended. ``analyze_video`` drives it over a file's rows, the live mode over a
camera's frames: both use this one object, so they find the same bursts.
"""

from __future__ import annotations

import numpy as np

from .detector import BurstDetector, DetectorParams
from .events import Event
from .rest import RestParams, RestSegmenter
from .signals import head_motion, signal_arrays
from .track import FaceFrame

__all__ = ["SessionStream"]


class SessionStream:
    """Rest segmentation and burst detection over frames in time order.

    Parameters
    ----------
    rest_params : RestParams, optional
    detector_params : DetectorParams, optional
    rest_intervals_s : list of (float, float), optional
        Rest given by hand (a clinic protocol) instead of judged.
    width, height : int, optional
        Image size; needed only for :meth:`process_face_frame`.
    blendshape_names : list of str, optional
        MediaPipe's blendshape names; needed only for :meth:`process_face_frame`.
    """

    def __init__(
        self,
        rest_params: RestParams | None = None,
        detector_params: DetectorParams | None = None,
        rest_intervals_s=None,
        *,
        width: int | None = None,
        height: int | None = None,
        blendshape_names: list[str] | None = None,
    ):
        self.rest = RestSegmenter(rest_params, rest_intervals_s)
        self.detector = BurstDetector(detector_params)
        self.width, self.height = width, height
        self.blendshape_names = blendshape_names
        self._previous: dict | None = None

    def process_row(self, row: dict, rest_allowed: bool = True) -> tuple[bool, list[Event]]:
        """One frames-table row in; its rest state and the bursts that ended out.

        ``rest_allowed=False`` marks a voluntary task (a protocol step): never rest.
        """
        at_rest = self.rest.update(row, rest_allowed)
        return at_rest, self.detector.update(row, at_rest)

    def process_face_frame(
        self, face_frame: FaceFrame, rest_allowed: bool = True
    ) -> tuple[dict, list[Event]]:
        """One landmarked frame in; its full row (signals, ``rest``, ``burst``) and ended bursts."""
        columns = signal_arrays(
            np.array([face_frame.time_s]),
            _or_nan(face_frame.landmarks, (478, 3))[None],
            _or_nan(face_frame.matrix, (4, 4))[None],
            _or_nan(face_frame.blendshapes, (52,))[None],
            self.width,
            self.height,
            self.blendshape_names,
        )
        row = {name: values[0].item() for name, values in columns.items()}
        if self._previous is not None:  # motion since the previous frame, as offline
            pair = [self._previous, row]
            speed, shift = head_motion(
                np.array([r["time_s"] for r in pair]),
                np.array([[r["yaw_deg"], r["pitch_deg"], r["roll_deg"]] for r in pair]),
                np.array([[r["face_x_px"], r["face_y_px"]] for r in pair]),
                np.array([r["face_size_px"] for r in pair]),
            )
            row["head_speed_deg_s"], row["head_shift_per_s"] = speed[1], shift[1]
        self._previous = row
        row["frame"] = face_frame.index
        at_rest, ended = self.process_row(row, rest_allowed)
        row["rest"] = at_rest
        row["burst"] = self.detector.active_side or ""
        return row, ended

    def finish(self) -> list[Event]:
        """Close the session: bursts still open are reported."""
        return self.detector.finish()


def _or_nan(values, shape) -> np.ndarray:
    return np.full(shape, np.nan, np.float32) if values is None else values
