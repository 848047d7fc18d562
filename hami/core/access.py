"""The one rule of scoping by role, which every aggregate's access helper applies to its queryset."""

from django.db.models import QuerySet

from hami.core.models import Role, User


def scoped(
    queryset: QuerySet,
    user: User,
    *,
    province: str | None = "province",
    members: dict[str, str] | None = None,
) -> QuerySet:
    """Rows the user may see: all for national staff; the user's province for office staff and
    inspectors (through the `province` lookup); for portal roles, the rows reached through their
    membership (`members` maps a role to the lookup that ends at the user, e.g.
    {Role.UNIT_REP: "memberships__user"}); nothing for anyone else."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_national:
        return queryset
    if province and user.role in (Role.OFFICE_STAFF, Role.INSPECTOR) and user.province_id:
        return queryset.filter(**{f"{province}_id": user.province_id})
    lookup = (members or {}).get(user.role)
    if lookup:
        return queryset.filter(**{lookup: user})
    return queryset.none()
