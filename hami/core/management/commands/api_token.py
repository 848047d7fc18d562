from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from hami.core.models import ApiToken, User
from hami.core.tokens import api_token_create, api_token_revoke


class Command(BaseCommand):
    help = "Create, list or revoke API tokens. The key is printed once, at creation."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("username")
        create.add_argument("--name", default="cli")
        lst = sub.add_parser("list")
        lst.add_argument("username")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("prefix")

    def handle(self, *args, action, **options):
        if action == "revoke":
            token = ApiToken.objects.filter(prefix=options["prefix"], revoked_at__isnull=True).first()
            if token is None:
                raise CommandError(f"no live token with prefix {options['prefix']}")
            with transaction.atomic():
                api_token_revoke(actor=None, token=token)
            self.stdout.write(f"revoked {token}")
            return
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist as exc:
            raise CommandError(f"no user {options['username']}") from exc
        if action == "create":
            _token, key = api_token_create(actor=None, user=user, name=options["name"])
            self.stdout.write(key)
        else:
            for token in user.api_tokens.all():
                state = "revoked" if token.revoked_at else "live"
                self.stdout.write(f"{token.prefix}\t{token.name}\t{state}\t{token.last_used_at or '-'}")
