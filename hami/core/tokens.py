"""API tokens: created and revoked by services, checked by the API's bearer authentication."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from hami.core.audit import audit
from hami.core.models import ApiToken, EventType, User

TOKEN_PREFIX = "hami_"


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, actor: User, user: User, name: str) -> tuple[ApiToken, str]:
    """Make a token for `user`; returns it with the plain key, which is shown once and never stored."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, key_hash=_digest(key), prefix=key[len(TOKEN_PREFIX) :][:8]
    )
    audit(
        actor=actor,
        event_type=EventType.API_TOKEN_CREATED,
        obj=token,
        details={"user": user.username, "name": name},
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at", "updated_at"])
    audit(actor=actor, event_type=EventType.API_TOKEN_REVOKED, obj=token, details={"name": token.name})
    return token


def user_for_key(key: str) -> User | None:
    """The active user behind a live token, or None."""
    if not key or not key.startswith(TOKEN_PREFIX) or len(key) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_digest(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    # last_used_at is a hint for people, not state a decision rests on: no audit event.
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
