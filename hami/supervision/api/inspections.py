"""The API of checklists, inspections, findings and corrective actions (points 4 and 5)."""

from ninja import Router

router = Router(tags=["supervision-inspections"])
