from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import Resolver404
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


def page_not_found(request, exception):
    """404 in the user's language; our own Http404 messages are shown, a router's internals are not."""
    message = None
    if isinstance(exception, Http404) and not isinstance(exception, Resolver404) and exception.args:
        text = exception.args[0]
        message = text if isinstance(text, str) else None
    return render(request, "404.html", {"message": message}, status=404)


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)
