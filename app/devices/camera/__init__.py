"""Cameras: the interface (``interface``), the drivers (``opencv``, ``mock``), their registry
(``registry``) and the pictures the mock films (``scenes``: ID cards on a desk, printed pages).

Importing the package defines the registry; drivers and their libraries load only when created.
"""

from app.devices.camera.interface import MSG_NO_CAMERA, MSG_UNPLUGGED, Camera
from app.devices.camera.registry import CAMERAS, create_camera, driver_names

__all__ = ["CAMERAS", "MSG_NO_CAMERA", "MSG_UNPLUGGED", "Camera", "create_camera", "driver_names"]
