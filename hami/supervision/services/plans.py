"""Writes of inspection plans (point 3)."""
