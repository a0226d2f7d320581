"""The Cupola view: ray-cast Earth, air and airglow, stars, the rocket and its stages, captions.

``render_frame(FrameInputs(...))`` gives an (H, W, 3) uint8 image from plain arrays; the scenario
layer fills the inputs. ``write_png`` and ``VideoWriter`` / ``write_video`` put frames on disk.
"""
from .compose import FrameInputs, RenderStyle, render_frame
from .objects import SceneObject
from .tonemap import DAYLIGHT_EXPOSURE, NIGHT_EXPOSURE

__all__ = ["DAYLIGHT_EXPOSURE", "FrameInputs", "NIGHT_EXPOSURE", "RenderStyle", "SceneObject", "render_frame"]
