"""The API of the enforcement ladder, negative points and the coercive share (points 6 and 9)."""

from ninja import Router

router = Router(tags=["supervision-ladder"])
