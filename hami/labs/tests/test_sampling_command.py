"""manage.py sampling_plan: text and JSON output, CommandError (exit 1) for bad values, exit 2 for
a wrong command line."""

import io
import json

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("sampling_plan", *args, stdout=out)
    return out.getvalue()


def test_prints_the_plan_for_one_lot():
    text = run("--lot-size", "1200", "--level", "II", "--aql", "1.0")
    assert "normal inspection (Table 2-A)" in text
    assert "Code letter J" in text and "Sample size 80" in text
    assert "Accept with 2 or fewer nonconforming items (Ac), reject with 3 or more (Re)" in text


def test_says_when_an_arrow_changed_the_plan_and_when_the_whole_lot_is_inspected():
    text = run("--lot-size", "5", "--level", "II", "--aql", "1.0")
    assert "leads to the plan of code letter E (sample size 13)" in text
    assert "inspect all 5 items" in text and "Sample size 5" in text


def test_json_parses_and_carries_the_plan():
    body = json.loads(
        run("--lot-size", "2000", "--level", "II", "--aql", "1.0", "--severity", "reduced", "--json")
    )
    assert body["code_letter"] == "K" and (body["sample_size"], body["accept"], body["reject"]) == (50, 2, 3)
    assert body["table"] == "2-C" and body["severity"] == "reduced"


def test_prints_a_whole_master_table_with_its_arrows():
    text = run("--table", "tightened")
    assert text.startswith("ISO 2859-1:1999 Table 2-B")
    row_s = next(line for line in text.splitlines() if line.startswith("S "))
    assert row_s.split() == ["S", "3150", "1/2"]
    assert "↓" in text and "↑" in text and "27/28" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lot-size", "0", "--level", "II", "--aql", "1.0"], "The lot size must be a whole number"),
        (["--lot-size", "10", "--level", "IV", "--aql", "1.0"], "Unknown inspection level"),
        (["--lot-size", "10", "--level", "II", "--aql", "0.5"], "This AQL is not in the tables"),
    ],
)
def test_bad_values_stop_with_the_message(args, message):
    with pytest.raises(CommandError, match=message) as caught:
        run(*args)
    assert caught.value.returncode == 1


def test_exit_codes_from_the_command_line(capsys):
    with pytest.raises(SystemExit) as bad_value:
        execute_from_command_line(
            ["manage.py", "sampling_plan", "--lot-size", "x", "--level", "II", "--aql", "1"]
        )
    assert bad_value.value.code == 1
    assert "The lot size must be a whole number" in capsys.readouterr().err
    with pytest.raises(SystemExit) as bad_line:
        execute_from_command_line(["manage.py", "sampling_plan", "--severity", "harsh"])
    assert bad_line.value.code == 2
    with pytest.raises(SystemExit) as missing:
        execute_from_command_line(["manage.py", "sampling_plan", "--lot-size", "10"])
    assert missing.value.code == 2
    assert "--level, --aql" in capsys.readouterr().err
