"""The API of inspection plans (point 3)."""

from ninja import Router

router = Router(tags=["supervision-plans"])
