import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.test import override_settings


class Command(BaseCommand):
    help = (
        "Fail if locale/fa misses a string of the code, has an untranslated or fuzzy one, "
        "or if the committed .mo is not compiled from the committed .po."
    )

    def handle(self, *args, **options):
        locale = Path(settings.BASE_DIR) / "locale"
        po = locale / "fa" / "LC_MESSAGES" / "django.po"
        if not po.exists():
            raise CommandError(f"{po} is missing: run 'make messages'")
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "locale"
            shutil.copytree(locale, copy)
            # makemessages writes into the first LOCALE_PATHS entry: point it at the copy.
            with override_settings(LOCALE_PATHS=[copy]):
                call_command(
                    "makemessages", locale=["fa"], no_obsolete=True, add_location="file", verbosity=0,
                    ignore_patterns=[".venv/*", ".tools/*", "var/*", "node_modules/*"],
                )  # fmt: skip
            fresh = copy / "fa" / "LC_MESSAGES" / "django.po"
            stats = subprocess.run(
                ["msgfmt", "--statistics", "--check", "-o", str(Path(tmp) / "fresh.mo"), str(fresh)],
                capture_output=True,
                text=True,
                check=False,
            )
            report = (stats.stderr or stats.stdout).strip()
            self.stdout.write(f"locale/fa (against the code): {report}")
            if stats.returncode != 0 or "untranslated" in report or "fuzzy" in report:
                missing = subprocess.run(
                    ["msgattrib", "--untranslated", "--only-fuzzy", str(fresh)],
                    capture_output=True,
                    text=True,
                ).stdout
                untranslated = subprocess.run(
                    ["msgattrib", "--untranslated", str(fresh)], capture_output=True, text=True
                ).stdout
                self.stderr.write(untranslated[:4000] + missing[:2000])
                raise CommandError("Persian translations are incomplete: run 'make messages' and translate")
            committed_mo = po.with_suffix(".mo")
            compiled = Path(tmp) / "committed.mo"
            subprocess.run(["msgfmt", "-o", str(compiled), str(po)], check=True)
            if not committed_mo.exists() or committed_mo.read_bytes() != compiled.read_bytes():
                raise CommandError("locale/fa/LC_MESSAGES/django.mo is stale: run 'make messages'")
        self.stdout.write(self.style.SUCCESS("Persian translations complete"))
