"""The rocket's ascent: vehicle data, guidance, powered flight with staging, falling parts.

    from orbitview.ascent import load_vehicle, TargetOrbit, fly
    ascent = fly(site, load_vehicle("soyuz-fg"), payload_kg=7300.0, clock=clock, target=target)
"""
from .events import Event, Impact, Insertion
from .launch import VEHICLE_BODY, Ascent, fly
from .targeting import TargetOrbit
from .track import AscentBody, Track
from .vehicle import Vehicle, load_vehicle

__all__ = ["Ascent", "AscentBody", "Event", "Impact", "Insertion", "TargetOrbit", "Track", "Vehicle",
           "VEHICLE_BODY", "fly", "load_vehicle"]
