"""The Cupola view: ray-cast Earth, air and airglow, stars, the rocket and its stages, captions.

``render_frame(FrameInputs(...))`` gives an (H, W, 3) uint8 image from plain arrays; the scenario
layer fills the inputs, which the renderer checks first (one ``OrbitviewError`` naming a bad field;
images up to ``MAX_SIDE_PX`` a side and ``MAX_PIXELS`` in all: ``check_image_size``). ``write_png``
and ``VideoWriter`` / ``write_video`` put frames on disk.
"""
from ..view.camera import MAX_PIXELS, MAX_SIDE_PX
from .compose import FrameInputs, MoonLight, RenderStyle, check_image_size, render_frame
from .objects import SceneObject
from .tonemap import DAYLIGHT_EXPOSURE, NIGHT_EXPOSURE

__all__ = ["DAYLIGHT_EXPOSURE", "MAX_PIXELS", "MAX_SIDE_PX", "NIGHT_EXPOSURE", "FrameInputs", "MoonLight", "RenderStyle",
           "SceneObject", "check_image_size", "render_frame"]
