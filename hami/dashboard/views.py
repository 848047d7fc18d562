from django.shortcuts import render

from hami.core.models import Role
from hami.dashboard.selectors import OVERVIEWS


def home(request):
    """The public landing page, or the signed-in user's home for their role."""
    user = request.user
    if not user.is_authenticated:
        return render(request, "dashboard/home_public.html")
    role = Role.NATIONAL_ADMIN if user.is_superuser else user.role
    if role not in OVERVIEWS:
        return render(request, "dashboard/home_norole.html")
    template, overview = OVERVIEWS[role]
    return render(request, template, overview(user))
