"""Geometry: the SectionTree, NEURON's node layout and Jaxley-style arrays."""

from bridge.morphology.tree import PointProcess, Section, SectionTree

__all__ = ["PointProcess", "Section", "SectionTree"]
