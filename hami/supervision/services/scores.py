"""Writes of unit risk scores and the supervision instruction (issue 6, point 2)."""
