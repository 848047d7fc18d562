import json

from django.core.management.base import BaseCommand, CommandError

from hami.core.models import Province
from hami.licensing.models import SigningKey
from hami.licensing.services.keys import public_keys_document, signing_key_rotate


class Command(BaseCommand):
    help = "Create or rotate an office's signing key, list keys, or export the public keys as JSON."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        rotate = sub.add_parser(
            "rotate", help="create a new live key (the old one is retired, still verifies)"
        )
        rotate.add_argument("province", help="province code, e.g. qazvin, or 'all'")
        sub.add_parser("list")
        export = sub.add_parser("export", help="write the public keys for offline verification")
        export.add_argument("--output", "-o", default="-", help="a file, or - for standard output")

    def handle(self, *args, action, **options):
        if action == "rotate":
            code = options["province"]
            provinces = Province.objects.all() if code == "all" else Province.objects.filter(code=code)
            if not provinces:
                raise CommandError(f"no province {code}")
            for province in provinces:
                key = signing_key_rotate(actor=None, province=province)
                self.stdout.write(f"{province.code}: new key {key.kid}")
        elif action == "list":
            for key in SigningKey.objects.select_related("province"):
                state = f"retired {key.retired_at:%Y-%m-%d}" if key.retired_at else "live"
                self.stdout.write(f"{key.kid}\t{key.province.code}\t{state}")
        else:
            text = json.dumps(public_keys_document(), indent=2)
            if options["output"] == "-":
                self.stdout.write(text)
            else:
                with open(options["output"], "w", encoding="utf-8") as fh:
                    fh.write(text + "\n")
                self.stderr.write(f"wrote {options['output']}")
