"""CivicGrid (善治网格)."""
