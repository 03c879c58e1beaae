"""Geometry validation for imported areas and grids (to be completed)."""
