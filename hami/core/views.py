from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone


@login_required
def notifications(request):
    """The user's notices, newest first; opening the page marks them read."""
    mine = request.user.notifications.all()
    page = Paginator(mine, 30).get_page(request.GET.get("page"))
    unread = [n.pk for n in page if n.read_at is None]
    response = render(request, "core/notifications.html", {"page": page, "unread": set(unread)})
    if unread:
        mine.filter(pk__in=unread).update(read_at=timezone.now())  # a read mark, not audited state
    return response
