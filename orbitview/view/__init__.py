"""What the station's crew can see: station frame, Cupola windows, cameras, sightlines, light."""
from .camera import Camera, Pointing, camera_to_station, minimal_enclosing_cone, station_to_camera
from .station import Attitude, station_axes

__all__ = ["Attitude", "Camera", "Pointing", "camera_to_station", "minimal_enclosing_cone",
           "station_axes", "station_to_camera"]
