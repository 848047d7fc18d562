import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from hami.core.audit import verify_chain
from hami.core.identifiers import is_valid_legal_id, is_valid_national_code
from hami.core.models import Role, User
from hami.labs.models import Lab
from hami.registry.models import Product, ProductionUnit, QCManager
from hami.standards.models import Standard

pytestmark = pytest.mark.django_db

VOLATILE = {"created_at", "updated_at", "last_login", "date_joined", "password"}


def test_demo_builds_a_province_with_every_role(capsys):
    call_command("demo", "--units", "300", "--other-units", "10", "--seed", "7")
    out = capsys.readouterr().out
    assert "demo logins" in out and "officer" in out and "producer" in out
    assert ProductionUnit.objects.filter(province__code="qazvin").count() == 300
    assert ProductionUnit.objects.filter(province__code="tehran").count() == 10
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert Lab.objects.count() == 40
    assert Standard.objects.filter(is_mandatory=True).count() >= 100
    assert all(is_valid_legal_id(n) for n in ProductionUnit.objects.values_list("national_id", flat=True))
    assert all(is_valid_national_code(n) for n in QCManager.objects.values_list("national_code", flat=True))
    assert Product.objects.exists()
    # Persian names are written in Persian letters, never Arabic yeh or kaf.
    assert not ProductionUnit.objects.filter(name_fa__regex="[يك]").exists()
    counties = set(
        ProductionUnit.objects.filter(province__code="qazvin").values_list("county__code", flat=True)
    )
    assert counties == {"qazvin", "alborz", "abyek", "buin-zahra", "takestan", "avaj"}
    assert list(verify_chain()) == []


def test_demo_refuses_to_build_over_existing_data():
    call_command("demo", "--units", "20", "--other-units", "0")
    with pytest.raises(CommandError):
        call_command("demo", "--units", "20")
    call_command("demo", "--units", "20", "--if-empty")  # says so and does nothing
    assert ProductionUnit.objects.count() == 20


def _build_and_dump(tmp_path: Path, name: str, seed: int) -> list:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / name}.sqlite3", "HAMI_DEBUG": "1"}
    manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
    subprocess.run([*manage, "demo", "--units", "150", "--other-units", "5", "--seed", str(seed)], env=env,
                   check=True, capture_output=True)  # fmt: skip
    dump = subprocess.run(
        [*manage, "dumpdata", "registry", "standards", "labs", "core.user"],
        env=env, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    rows = json.loads(dump)
    for row in rows:
        for field in VOLATILE:
            row["fields"].pop(field, None)
    return rows


def test_same_seed_gives_identical_data_and_another_seed_does_not(tmp_path):
    first = _build_and_dump(tmp_path, "a", 11)
    assert first == _build_and_dump(tmp_path, "b", 11)
    assert first != _build_and_dump(tmp_path, "c", 12)
