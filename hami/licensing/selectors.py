"""Reads of licensing that are more than one queryset."""

from hami.licensing.models import Licence


def licence_by_tracking_code(code: str) -> Licence | None:
    """The public face of a licence, in one indexed query (tracking_code is unique)."""
    return (
        Licence.objects.select_related("unit", "standard", "province", "current")
        .filter(tracking_code=code)
        .first()
    )
