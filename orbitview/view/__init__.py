"""What the station's crew can see: station frame, Cupola windows, cameras, sightlines, light."""
from .camera import Camera, Pointing, camera_to_station, minimal_enclosing_cone, station_to_camera
from .cupola import Cupola, window_for
from .sightline import Sightlines, compute_sightlines, ellipsoid_limb, horizon_dip_deg, limb_distance_km
from .station import Attitude, azimuth_elevation, station_axes

__all__ = ["Attitude", "Camera", "Cupola", "Pointing", "Sightlines", "azimuth_elevation",
           "camera_to_station", "compute_sightlines", "ellipsoid_limb", "horizon_dip_deg",
           "limb_distance_km", "minimal_enclosing_cone", "station_axes", "station_to_camera",
           "window_for"]
