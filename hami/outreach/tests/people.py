"""Units with a representative each, for tests where many units act at once."""

from conftest import make_user
from hami.core.identifiers import make_legal_id
from hami.core.models import Role
from hami.registry.services import unit_create, unit_membership_add


def units_with_reps(*, officer, county, count: int) -> list:
    """`count` units of `county`, each with its own representative: [(rep, unit), …]."""
    reps = []
    for n in range(count):
        unit = unit_create(
            actor=officer,
            national_id=make_legal_id(f"1038{n + 1:06d}"),
            name_fa=f"واحد {n}",
            county=county,
            isic="1050",
        )
        rep = make_user(f"rep-{n}", Role.UNIT_REP)
        unit_membership_add(actor=officer, unit=unit, user=rep)
        reps.append((rep, unit))
    return reps
