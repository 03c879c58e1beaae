"""Reads of the surveys app: every list starts from ``restrict(user)``."""
