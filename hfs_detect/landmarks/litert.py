"""A faster landmark engine: the Face Landmarker's own three models, run with LiteRT.

``face_landmarker.task`` is a zip of a face detector (128x128), the face mesh
model (a 256x256 crop -> 478 landmarks and a face-presence score), the
blendshape model (146 landmarks -> 52 scores) and the canonical face used for
head pose. :class:`LiteRTLandmarker` runs them with ``ai-edge-litert``,
without MediaPipe's graph:

- **Tracking.** The face is cropped where the previous frame's landmarks were:
  their bounding box x1.5, made square and turned by the line between the
  outer eye corners (MediaPipe's own rule). The detector runs only to find a
  face, to find it again when the presence score falls below
  ``min_confidence``, and when a subject has to be chosen among several faces
  (:class:`~hfs_detect.landmarks.follow.SubjectFollower`, the rule MediaPipe's engine
  follows too).
- **Head pose** is MediaPipe's geometry pipeline done in NumPy: the landmarks
  are unprojected through a 63-degree perspective camera and fitted to the
  canonical face by weighted Procrustes, giving the same facial transformation
  matrix.
- **Blendshapes** come from the 146 landmarks the blendshape model expects, in
  image pixels.

The results match MediaPipe's closely, not exactly (the README gives the
agreement per real video); ``--engine mediapipe`` runs MediaPipe itself.
"""

from __future__ import annotations

import collections
import os
import queue
import struct
import threading
import zipfile
from collections.abc import Iterable, Iterator

import numpy as np

from .._checks import HFSDetectError, native_stderr_silenced
from .follow import Face, SubjectFollower
from .model_file import resolve_model
from .sources import Frame
from .track import FaceLandmarks

__all__ = ["BLENDSHAPE_NAMES", "LiteRTLandmarker", "OneEuroSmoother", "default_threads"]

BLENDSHAPE_NAMES: tuple[str, ...] = (
    "_neutral", "browDownLeft", "browDownRight", "browInnerUp", "browOuterUpLeft",
    "browOuterUpRight", "cheekPuff", "cheekSquintLeft", "cheekSquintRight", "eyeBlinkLeft",
    "eyeBlinkRight", "eyeLookDownLeft", "eyeLookDownRight", "eyeLookInLeft", "eyeLookInRight",
    "eyeLookOutLeft", "eyeLookOutRight", "eyeLookUpLeft", "eyeLookUpRight", "eyeSquintLeft",
    "eyeSquintRight", "eyeWideLeft", "eyeWideRight", "jawForward", "jawLeft", "jawOpen",
    "jawRight", "mouthClose", "mouthDimpleLeft", "mouthDimpleRight", "mouthFrownLeft",
    "mouthFrownRight", "mouthFunnel", "mouthLeft", "mouthLowerDownLeft", "mouthLowerDownRight",
    "mouthPressLeft", "mouthPressRight", "mouthPucker", "mouthRight", "mouthRollLower",
    "mouthRollUpper", "mouthShrugLower", "mouthShrugUpper", "mouthSmileLeft", "mouthSmileRight",
    "mouthStretchLeft", "mouthStretchRight", "mouthUpperUpLeft", "mouthUpperUpRight",
    "noseSneerLeft", "noseSneerRight",
)  # fmt: skip
"""The blendshape model's 52 outputs, in order (MediaPipe's category names)."""

BLENDSHAPE_POINTS = np.array([
    0, 1, 4, 5, 6, 7, 8, 10, 13, 14, 17, 21, 33, 37, 39, 40, 46, 52, 53, 54, 55, 58, 61, 63, 65,
    66, 67, 70, 78, 80, 81, 82, 84, 87, 88, 91, 93, 95, 103, 105, 107, 109, 127, 132, 133, 136,
    144, 145, 146, 148, 149, 150, 152, 153, 154, 155, 157, 158, 159, 160, 161, 162, 163, 168, 172,
    173, 176, 178, 181, 185, 191, 195, 197, 234, 246, 249, 251, 263, 267, 269, 270, 276, 282, 283,
    284, 285, 288, 291, 293, 295, 296, 297, 300, 308, 310, 311, 312, 314, 317, 318, 321, 323, 324,
    332, 334, 336, 338, 356, 361, 362, 365, 373, 374, 375, 377, 378, 379, 380, 381, 382, 384, 385,
    386, 387, 388, 389, 390, 397, 398, 400, 402, 405, 409, 415, 454, 466, 468, 469, 470, 471, 472,
    473, 474, 475, 476, 477,
])  # fmt: skip
"""The 146 landmarks the blendshape model reads (MediaPipe's face blendshapes graph)."""

MESH_SIZE = 256  # the face mesh model's input, pixels
DETECTOR_SIZE = 128
ROI_SCALE = 1.5  # crop = landmarks' (or detection's) box x1.5, square
_EYE_CORNERS = (33, 263)  # outer corners: the crop turns with the line between them
_FOV_DEG, _NEAR = 63.0, 1.0  # MediaPipe's perspective camera for head pose
_NMS_IOU = 0.3
_PIPELINE_FRAMES = 16  # frames between the face mesh and the blendshape thread


def _varint(data: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i


def _proto_fields(data: bytes) -> list[tuple[int, object]]:
    """The (field number, value) pairs of a protobuf message, without its schema."""
    fields, i = [], 0
    while i < len(data):
        key, i = _varint(data, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(data, i)
        elif wire == 2:
            size, i = _varint(data, i)
            value, i = data[i : i + size], i + size
        elif wire == 5:
            value, i = data[i : i + 4], i + 4
        elif wire == 1:
            value, i = data[i : i + 8], i + 8
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        fields.append((number, value))
    return fields


def canonical_face(metadata: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The canonical face of ``geometry_pipeline_metadata_landmarks.binarypb``.

    Returns the mesh's vertices ``(468, 3)`` (cm), and the ids and weights of
    the landmarks the pose is fitted to.
    """
    top = _proto_fields(metadata)
    mesh = next(value for number, value in top if number == 1)
    floats = [struct.unpack("<f", v)[0] for number, v in _proto_fields(mesh) if number == 3]
    vertices = np.array(floats, np.float64).reshape(-1, 5)[:, :3]  # x, y, z, u, v
    ids, weights = [], []
    for number, value in top:
        if number == 2:
            entry = dict(_proto_fields(value))
            ids.append(int(entry.get(1, 0)))
            weights.append(struct.unpack("<f", entry[2])[0])
    return vertices, np.array(ids), np.array(weights, np.float64)


def _anchors() -> np.ndarray:
    """Centres of the face detector's 896 anchors (strides 8 and 16, 2 and 6 per cell)."""
    centres = []
    for stride, per_cell in ((8, 2), (16, 6)):
        cells = DETECTOR_SIZE // stride
        for y in range(cells):
            for x in range(cells):
                centres += [((x + 0.5) / cells, (y + 0.5) / cells)] * per_cell
    return np.array(centres)


def _iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    x0, y0 = np.maximum(box[0], boxes[:, 0]), np.maximum(box[1], boxes[:, 1])
    x1, y1 = np.minimum(box[2], boxes[:, 2]), np.minimum(box[3], boxes[:, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    areas = (box[2] - box[0]) * (box[3] - box[1]) + (boxes[:, 2] - boxes[:, 0]) * (
        boxes[:, 3] - boxes[:, 1]
    )
    return inter / np.maximum(areas - inter, 1e-9)


THREADS_ENV_VAR = "HFS_DETECT_THREADS"


MAX_THREADS = 64
"""The most network threads ``HFS_DETECT_THREADS`` may ask for."""


def default_threads() -> int:
    """Threads for the face mesh network: ``$HFS_DETECT_THREADS`` if set, else the
    machine's cores up to 2 (a batch gives each worker its share of the cores).

    Raises
    ------
    HFSDetectError
        ``HFS_DETECT_THREADS`` is not a whole number from 1 to :data:`MAX_THREADS`.
    """
    text = os.environ.get(THREADS_ENV_VAR)
    if text is None or not text.strip():
        return min(2, os.cpu_count() or 1)
    try:
        chosen = int(text)
    except ValueError:
        chosen = 0
    if not 1 <= chosen <= MAX_THREADS:
        raise HFSDetectError(
            f"{THREADS_ENV_VAR} must be a whole number from 1 to {MAX_THREADS} (the landmark "
            f"network's threads), but is {text!r}"
        )
    return chosen


class _Models:
    """The three LiteRT models and the canonical face of a ``.task`` bundle."""

    def __init__(self, task_path, threads: int = 1):
        try:
            from ai_edge_litert.interpreter import Interpreter
        except ImportError:
            raise HFSDetectError(
                "the litert engine needs the ai-edge-litert package "
                "(pip install ai-edge-litert), or use --engine mediapipe"
            ) from None
        try:
            with zipfile.ZipFile(task_path) as bundle:
                blobs = {name: bundle.read(name) for name in bundle.namelist()}
            self.detector = Interpreter(model_content=blobs["face_detector.tflite"], num_threads=1)
            self.mesh = Interpreter(
                model_content=blobs["face_landmarks_detector.tflite"], num_threads=threads
            )
            self.blend = Interpreter(model_content=blobs["face_blendshapes.tflite"], num_threads=1)
            canonical = canonical_face(blobs["geometry_pipeline_metadata_landmarks.binarypb"])
        except (zipfile.BadZipFile, KeyError, ValueError, RuntimeError, OSError) as exc:
            raise HFSDetectError(
                f"cannot load the face landmark model {task_path} with the litert engine: {exc}"
            ) from None
        self.vertices, self.pose_ids, self.pose_weights = canonical
        self.pose_vertices = self.vertices[self.pose_ids]
        with native_stderr_silenced():  # LiteRT announces its XNNPACK delegate
            for interpreter in (self.detector, self.mesh, self.blend):
                interpreter.allocate_tensors()

        def ports(interpreter):
            return (
                interpreter.get_input_details()[0]["index"],
                [d["index"] for d in interpreter.get_output_details()],
            )

        expected = (  # name, interpreter, input shape, outputs
            ("face_detector.tflite", self.detector, (1, DETECTOR_SIZE, DETECTOR_SIZE, 3), 2),
            ("face_landmarks_detector.tflite", self.mesh, (1, MESH_SIZE, MESH_SIZE, 3), 3),
            ("face_blendshapes.tflite", self.blend, (1, len(BLENDSHAPE_POINTS), 2), 1),
        )
        for name, interpreter, shape, n_outputs in expected:
            found = tuple(int(v) for v in interpreter.get_input_details()[0]["shape"])
            outputs = len(interpreter.get_output_details())
            if found != shape or outputs != n_outputs:
                raise HFSDetectError(
                    f"the face landmark model {task_path} holds another network as {name} "
                    f"(input {found}, {outputs} outputs; expected {shape}, {n_outputs}): "
                    "use the shipped face_landmarker.task"
                )
        self.detector_ports, self.mesh_ports, self.blend_ports = (
            ports(self.detector), ports(self.mesh), ports(self.blend),
        )  # fmt: skip


class LiteRTLandmarker(SubjectFollower):
    """The Face Landmarker's models run with LiteRT, following one subject.

    Parameters
    ----------
    model_path : path-like, optional
        See :func:`~hfs_detect.landmarks.resolve_model`.
    max_faces : int
        Faces considered when the subject has to be chosen (1-8).
    min_confidence : float
        Face detection and presence threshold (0-1).
    reacquire_after_s : float
        Seconds the subject may be missing before another face is taken.
    smooth : bool
        Smooth the followed face's landmarks over time as MediaPipe's VIDEO mode
        does (:class:`OneEuroSmoother`); blendshapes and head pose are computed
        from the smoothed landmarks, the next crop from the unsmoothed ones.
    threads : int, optional
        Threads of the face mesh network (default :func:`default_threads`).
        The results do not depend on it.

    Attributes
    ----------
    n_detections : int
        Frames in which the face detector ran.
    """

    engine = "litert"

    def __init__(
        self,
        model_path: str | os.PathLike | None = None,
        *,
        max_faces: int = 4,
        min_confidence: float = 0.5,
        reacquire_after_s: float = 1.0,
        smooth: bool = True,
        threads: int | None = None,
    ):
        super().__init__(max_faces, min_confidence, reacquire_after_s)
        self.model = resolve_model(model_path)
        self.threads = int(threads) if threads else default_threads()
        self._models = _Models(self.model.path, self.threads)
        self._anchors = _anchors()
        self._roi: tuple[float, float, float, float] | None = None  # cx, cy, size px, angle
        self.smooth = bool(smooth)
        self._smoother = OneEuroSmoother()
        self.blendshape_names: list[str] | None = None
        self.n_detections = 0

    # -- one frame ---------------------------------------------------------------
    def detect(self, frame: Frame) -> FaceLandmarks:
        """Find the subject's landmarks in one frame (frames in time order)."""
        return self._complete(*self._landmarks(frame))

    def detect_frames(self, frames: Iterable[Frame]) -> Iterator[FaceLandmarks]:
        """:meth:`detect` over many frames in time order, the same results, faster.

        The face mesh must run frame after frame (each crop comes from the
        previous frame's landmarks), but the blendshape network and the head
        pose need only this frame's landmarks: they run in a second thread,
        beside the next frame's face mesh (LiteRT lets go of Python's lock
        while a network runs). Results come in frame order.
        """
        todo: queue.Queue = queue.Queue(maxsize=_PIPELINE_FRAMES)
        done: collections.deque = collections.deque()
        failed: list[BaseException] = []

        def complete() -> None:
            while (item := todo.get()) is not None:
                try:
                    done.append(self._complete(*item))
                except BaseException as exc:  # handed to the caller
                    failed.append(exc)
                    return

        worker = threading.Thread(target=complete, name="hfs-detect-blendshapes", daemon=True)
        worker.start()
        try:
            for frame in frames:
                item = self._landmarks(frame)
                while not failed:  # the worker fell out: do not wait on a full queue
                    try:
                        todo.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                while done:
                    yield done.popleft()
                if failed:
                    raise failed[0]
        finally:
            while worker.is_alive():
                try:
                    todo.put(None, timeout=0.1)
                    break
                except queue.Full:
                    if failed:
                        break
            worker.join()
        if failed:
            raise failed[0]
        while done:
            yield done.popleft()

    def _landmarks(self, frame: Frame) -> tuple[FaceLandmarks, np.ndarray | None, tuple[int, int]]:
        """The subject's smoothed landmarks in pixels (None when absent), and the next crop:
        the part of :meth:`detect` that must run frame after frame."""
        rgb = frame.rgb
        height, width = rgb.shape[:2]
        tracked = self._track(rgb)
        face_frame, chosen, faces = self.follow(frame, tracked, lambda: self._search(rgb))
        if chosen is None:
            self._roi = None
            self._smoother.reset()
            return face_frame, None, (width, height)
        pixels = faces[chosen].points.astype(np.float64) * [width, height, width]
        self._roi = _roi_from_points(pixels)  # from the landmarks as found, as MediaPipe
        if self.smooth:
            pixels = self._smoother.apply(frame.time_s, pixels)
        self.blendshape_names = list(BLENDSHAPE_NAMES)
        return face_frame, pixels, (width, height)

    def _complete(
        self, face_frame: FaceLandmarks, pixels: np.ndarray | None, size: tuple[int, int]
    ) -> FaceLandmarks:
        """The frame's blendshapes and head pose, from its landmarks in pixels."""
        if pixels is None:
            return face_frame
        width, height = size
        points = pixels / [width, height, width]
        return FaceLandmarks(
            face_frame.index, face_frame.time_s, points.astype(np.float32),
            self._blendshapes(pixels), self._pose(points, width, height).astype(np.float32),
            face_frame.n_faces,
        )  # fmt: skip

    def _track(self, rgb: np.ndarray) -> list[Face]:
        """The face where the subject was, or the detector's best face."""
        if self._roi is not None:
            face = self._face_at(rgb, self._roi)
            if face is not None:
                return [face]
        detections = self._detect_faces(rgb)
        if detections:
            face = self._face_at(rgb, detections[0])
            if face is not None:
                return [face]
        return []

    def _search(self, rgb: np.ndarray) -> list[Face]:
        """Every face in view (up to ``max_faces``)."""
        faces = [self._face_at(rgb, roi) for roi in self._detect_faces(rgb)[: self.max_faces]]
        return [face for face in faces if face is not None]

    # -- the models --------------------------------------------------------------
    def _detect_faces(self, rgb: np.ndarray) -> list[tuple[float, float, float, float]]:
        """Crops (``cx, cy, size, angle``) of the faces the detector finds, best first."""
        import cv2

        self.n_detections += 1
        height, width = rgb.shape[:2]
        side = max(height, width)
        top, left = (side - height) / 2, (side - width) / 2
        # letterboxed into the detector's square with black bars, sampled bilinearly as
        # MediaPipe's image-to-tensor step does (an area-averaged resize moves the box
        # by several pixels)
        k = DETECTOR_SIZE / side
        to_square = np.array([[k, 0.0, left * k], [0.0, k, top * k]])
        small = cv2.warpAffine(
            rgb, to_square, (DETECTOR_SIZE, DETECTOR_SIZE), flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
        )  # fmt: skip
        m = self._models
        entry, (boxes_out, scores_out) = m.detector_ports
        m.detector.set_tensor(entry, (small.astype(np.float32) / 127.5 - 1.0)[None])
        m.detector.invoke()
        raw = m.detector.get_tensor(boxes_out)[0]
        logits = np.clip(m.detector.get_tensor(scores_out)[0, :, 0], -80.0, 80.0)
        scores = 1.0 / (1.0 + np.exp(-logits))
        keep = np.flatnonzero(scores >= self.min_confidence)
        if not len(keep):
            return []
        values, anchors, scores = raw[keep] / DETECTOR_SIZE, self._anchors[keep], scores[keep]
        centre = values[:, :2] + anchors
        half = values[:, 2:4] / 2
        boxes = np.hstack([centre - half, centre + half])
        eyes = values[:, 4:8].reshape(-1, 2, 2) + anchors[:, None, :]  # right eye, left eye
        rois, used = [], np.zeros(len(keep), bool)
        for i in np.argsort(-scores):  # weighted non-maximum suppression
            if used[i]:
                continue
            group = ~used & (_iou(boxes[i], boxes) > _NMS_IOU)
            used |= group
            w = scores[group] / scores[group].sum()
            box = (boxes[group] * w[:, None]).sum(0) * side - [left, top, left, top]
            eye = (eyes[group] * w[:, None, None]).sum(0) * side - [left, top]
            d = eye[1] - eye[0]
            size = max(box[2] - box[0], box[3] - box[1]) * ROI_SCALE
            centre_x, centre_y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
            rois.append((centre_x, centre_y, size, float(np.arctan2(d[1], d[0]))))
        return rois

    def _face_at(self, rgb: np.ndarray, roi) -> Face | None:
        """The face mesh in one crop, or None if no face is there."""
        import cv2

        cx, cy, size, angle = roi
        if not size > 0:
            return None
        k = MESH_SIZE / size
        c, s = np.cos(angle) * k, np.sin(angle) * k
        to_crop = np.array([[c, s, 0.0], [-s, c, 0.0]])
        to_crop[:, 2] = MESH_SIZE / 2 - to_crop[:, :2] @ (cx, cy)
        # beyond the image the edge pixels repeat, as in MediaPipe's crop
        crop = cv2.warpAffine(
            rgb, to_crop, (MESH_SIZE, MESH_SIZE), flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REPLICATE,
        )  # fmt: skip
        m = self._models
        entry, (points_out, presence_out, _) = m.mesh_ports
        m.mesh.set_tensor(entry, (crop.astype(np.float32) * (1.0 / 255.0))[None])
        m.mesh.invoke()
        logit = float(m.mesh.get_tensor(presence_out).ravel()[0])
        if 1.0 / (1.0 + np.exp(-np.clip(logit, -80.0, 80.0))) < self.min_confidence:
            return None
        raw = m.mesh.get_tensor(points_out).reshape(-1, 3).astype(np.float64)
        back = cv2.invertAffineTransform(to_crop)
        pixels = np.empty_like(raw)
        pixels[:, :2] = raw[:, :2] @ back[:, :2].T + back[:, 2]
        height, width = rgb.shape[:2]
        # depth in MediaPipe's scale: its projection matrix's first column, in coordinates
        # normalised by the image's width and height, so it grows with the crop's turn
        # on a non-square image (measured: 1.0078 on 360x288 at 0.17 rad, as predicted)
        pixels[:, 2] = raw[:, 2] / k * np.hypot(np.cos(angle), np.sin(angle) * width / height)
        return Face((pixels / [width, height, width]).astype(np.float32), None, None)

    def _blendshapes(self, pixels: np.ndarray) -> np.ndarray:
        m = self._models
        entry, (scores_out,) = m.blend_ports
        m.blend.set_tensor(entry, pixels[BLENDSHAPE_POINTS, :2].astype(np.float32)[None])
        m.blend.invoke()
        return m.blend.get_tensor(scores_out).reshape(-1).copy()

    def _pose(self, points: np.ndarray, width: int, height: int) -> np.ndarray:
        """MediaPipe's facial transformation matrix from normalised landmarks.

        Screen landmarks are put on the near plane of a perspective camera,
        unprojected with a scale estimated in two rounds, and fitted to the
        canonical face (weighted Procrustes with scale), as MediaPipe's geometry
        pipeline does.
        """
        m = self._models
        height_near = 2.0 * _NEAR * np.tan(0.5 * np.radians(_FOV_DEG))
        width_near = width * height_near / height
        depth_offset = points[: len(m.vertices), 2].mean() * width_near
        # only the landmarks the fit weighs matter from here on (the same result, faster)
        screen = points[m.pose_ids].astype(np.float64)
        screen[:, 1] = 1.0 - screen[:, 1]
        screen *= (width_near, height_near, width_near)
        screen[:, :2] -= (width_near / 2, height_near / 2)

        def unprojected(scale: float) -> np.ndarray:
            metric = screen.copy()
            metric[:, 2] = (metric[:, 2] - depth_offset + _NEAR) / scale
            metric[:, :2] *= metric[:, 2:3] / _NEAR
            metric[:, 2] *= -1.0
            return metric

        first = self._procrustes(screen * (1.0, 1.0, -1.0))[0]
        second = self._procrustes(unprojected(first))[0]
        scale, rotation, shift = self._procrustes(unprojected(first * second))
        matrix = np.eye(4)
        matrix[:3, :3], matrix[:3, 3] = scale * rotation, shift
        return matrix

    def _procrustes(self, target: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        """Weighted orthogonal Procrustes with scale, canonical face -> ``target`` (the
        weighted landmarks, in :attr:`_Models.pose_ids` order)."""
        m = self._models
        w = m.pose_weights
        source = m.pose_vertices
        source_mean, target_mean = w @ source / w.sum(), w @ target / w.sum()
        centred = source - source_mean
        u, _, vt = np.linalg.svd((target * w[:, None]).T @ centred)
        if np.linalg.det(u @ vt) < 0:
            u[:, -1] *= -1.0
        rotation = u @ vt
        scale = ((centred @ rotation.T) * target * w[:, None]).sum() / (
            (centred * source * w[:, None]).sum()
        )
        return scale, rotation, target_mean - scale * rotation @ source_mean

    def close(self) -> None:
        """Release the models."""
        self._models = None

    def __enter__(self) -> LiteRTLandmarker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class OneEuroSmoother:
    """MediaPipe's landmark smoothing in VIDEO mode: a One Euro filter on every coordinate.

    The filter of MediaPipe's face landmarker for a single face (minimum cutoff
    0.05 Hz, beta 80, derivative cutoff 1 Hz), on pixel coordinates, with the
    speed measured in face sizes per second (the mean of the landmarks' box
    width and height). Still landmarks are smoothed hard; moving ones pass.

    MediaPipe's clock is followed too: times are whole milliseconds, the first
    frame starts the filter, and the rate is taken as 30 frames a second until
    it can be measured between two frames after time 0.
    """

    def __init__(self, min_cutoff: float = 0.05, beta: float = 80.0, derivative_cutoff=1.0):
        self.min_cutoff, self.beta, self.derivative_cutoff = min_cutoff, beta, derivative_cutoff
        self.reset()

    def reset(self) -> None:
        """Forget the past (the face was lost)."""
        self._last_ms: int | None = None
        self._frequency = 30.0
        self._raw = self._value = self._speed = None

    def _alpha(self, cutoff):
        tau = 1.0 / (2.0 * np.pi * cutoff)
        return 1.0 / (1.0 + tau * self._frequency)

    def apply(self, time_s: float, pixels: np.ndarray) -> np.ndarray:
        """The smoothed ``(n, 3)`` pixel coordinates of this frame's landmarks."""
        time_ms = int(round(time_s * 1000.0))
        if self._last_ms is not None:
            if time_ms <= self._last_ms:
                return pixels
            if self._last_ms != 0:
                self._frequency = 1000.0 / (time_ms - self._last_ms)
        self._last_ms = time_ms
        size = float(np.ptp(pixels[:, 0]) + np.ptp(pixels[:, 1])) / 2.0
        if size < 1e-6:
            return pixels
        if self._raw is None:
            speed = np.zeros_like(pixels)
        else:
            speed = (pixels - self._raw) / size * self._frequency
        a = self._alpha(self.derivative_cutoff)
        self._speed = speed if self._speed is None else a * speed + (1.0 - a) * self._speed
        a = self._alpha(self.min_cutoff + self.beta * np.abs(self._speed))
        self._value = pixels if self._value is None else a * pixels + (1.0 - a) * self._value
        self._raw = pixels
        return self._value


def _roi_from_points(pixels: np.ndarray) -> tuple[float, float, float, float]:
    """The next frame's crop from this frame's landmarks (pixels)."""
    low, high = pixels[:, :2].min(0), pixels[:, :2].max(0)
    d = pixels[_EYE_CORNERS[1], :2] - pixels[_EYE_CORNERS[0], :2]
    centre = (low + high) / 2
    return (
        float(centre[0]),
        float(centre[1]),
        float(max(high - low) * ROI_SCALE),
        float(np.arctan2(d[1], d[0])),
    )
