"""Writes of checklists, inspections, findings and corrective actions (points 4 and 5)."""
