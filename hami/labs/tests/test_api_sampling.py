"""GET /api/v1/sampling-plan: public, no database, 422 {code, message, field} for any bad input."""

import pytest
from django.test import Client
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from hami.labs.sampling import SamplingError, plan

URL = "/api/v1/sampling-plan"


def get(client, language=None, **params):
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    return client.get(URL, params, **headers)


def refusal(**kwargs) -> SamplingError:
    """The SamplingError the module raises for these arguments (the API must answer with it)."""
    args = {"lot_size": "1200", "level": "II", "aql": "1.0", "severity": "normal", **kwargs}
    with pytest.raises(SamplingError) as caught:
        plan(**args)
    return caught.value


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"lot_size": "1200", "level": "II", "aql": "1.0"},
            {"code_letter": "J", "plan_code_letter": "J", "sample_size": 80, "accept": 2, "reject": 3,
             "full_inspection": False, "severity": "normal", "table": "2-A"},
        ),
        (
            {"lot_size": "1200", "level": "II", "aql": "1.0", "severity": "tightened"},
            {"code_letter": "J", "sample_size": 80, "accept": 1, "reject": 2, "table": "2-B"},
        ),
        (
            {"lot_size": "2000", "level": "II", "aql": "1.0", "severity": "reduced"},
            {"code_letter": "K", "sample_size": 50, "accept": 2, "reject": 3, "table": "2-C"},
        ),
        (
            {"lot_size": "200", "level": "II", "aql": "1.0"},
            {"code_letter": "G", "plan_code_letter": "H", "sample_size": 50, "accept": 1, "reject": 2},
        ),
        (
            {"lot_size": "5", "level": "II", "aql": "1.0"},
            {"code_letter": "A", "plan_code_letter": "E", "sample_size": 5, "table_sample_size": 13,
             "full_inspection": True, "accept": 0, "reject": 1},
        ),
        (
            {"lot_size": "۶۰۰۰۰۰", "level": "s-4", "aql": "0.65"},
            {"lot_size": 600000, "level": "S-4", "aql": "0.65", "code_letter": "K", "sample_size": 125,
             "accept": 2, "reject": 3},
        ),
    ],
)  # fmt: skip
def test_plan_fields_and_values(client, params, expected):
    response = get(client, **params)
    assert response.status_code == 200
    body = response.json()
    assert body | expected == body
    assert set(body) >= {"code_letter", "sample_size", "accept", "reject", "full_inspection",
                         "plan_code_letter", "lot_size", "level", "aql", "severity"}  # fmt: skip


def test_the_endpoint_is_public_and_reads_no_database(client):
    # No django_db mark: pytest-django refuses any query here, which would make the view fail.
    response = get(client, lot_size="50", level="I", aql="4.0")  # C under 4.0: ↑ to B, n 3
    assert response.status_code == 200 and response.json()["sample_size"] == 3


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"lot_size": "0"}, "lot_size"),
        ({"lot_size": "-3"}, "lot_size"),
        ({"lot_size": "abc"}, "lot_size"),
        ({"lot_size": "9" * 400}, "lot_size"),
        ({"lot_size": None}, "lot_size"),
        ({"level": "iv"}, "level"),
        ({"level": None}, "level"),
        ({"aql": "abc"}, "aql"),
        ({"aql": "0.5"}, "aql"),
        ({"aql": None}, "aql"),
        ({"severity": "x"}, "severity"),
    ],
)
def test_bad_input_answers_422_with_the_field_and_a_message_in_the_requests_language(client, params, field):
    query = {"lot_size": "1200", "level": "II", "aql": "1.0", **params}
    query = {name: value for name, value in query.items() if value is not None}
    expected = refusal(**{name: query.get(name) for name in ("lot_size", "level", "aql")},
                       severity=query.get("severity", "normal"))  # fmt: skip
    assert expected.field == field
    for language in (None, "fa", "en"):
        response = get(client, language, **query)
        assert response.status_code == 422
        body = response.json()
        with translation.override(language or "fa"):
            message = str(expected.message)
        assert body == {"code": "invalid", "message": message, "field": field}
        assert response["Content-Language"] == (language or "fa")
    with translation.override("en"):
        assert get(client, "en", **query).json()["message"] == str(expected.message)


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["lot_size", "level", "aql", "severity", "other"]),
        st.one_of(
            st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=30),
            st.integers().map(str),
            st.floats().map(str),
            st.sampled_from(["II", "S-1", "1.0", "0.65", "normal", "reduced", "1e400", "NaN", "۱۲۰۰", "1,5"]),
        ),
    )
)
def test_no_input_gives_a_server_error(params):
    response = Client().get(URL, params)
    assert response.status_code in (200, 400, 422)  # 400: a NUL, refused by RejectNulMiddleware
    if response.status_code == 422:
        assert response.json()["field"] in ("lot_size", "level", "aql", "severity")
