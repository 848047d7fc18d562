"""Pages of checklists, inspections, findings and corrective actions (points 4 and 5)."""

urlpatterns: list = []
