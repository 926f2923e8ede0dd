"""Deterministic discrete-event simulation of a Raft cluster."""

from .cluster import Cluster, Flight
from .clients import Handle
from .network import NetworkConfig

__all__ = ["Cluster", "Flight", "Handle", "NetworkConfig"]
