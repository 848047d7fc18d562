"""The API of unit risk scores and the supervision instruction (issue 6, point 2)."""

from ninja import Router

router = Router(tags=["supervision-scores"])
