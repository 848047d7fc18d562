"""The API of market surveillance cases and complaints (points 7 and 8)."""

from ninja import Router

router = Router(tags=["supervision-cases"])
