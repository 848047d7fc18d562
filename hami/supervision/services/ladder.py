"""Writes of the enforcement ladder, negative points and the coercive share (points 6 and 9)."""
