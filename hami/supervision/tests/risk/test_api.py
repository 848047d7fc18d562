"""GET /api/v1/risk-level: reference data without sign-in; bad input a 400 {code, message, field}."""

import pytest

pytestmark = pytest.mark.django_db
URL = "/api/v1/risk-level"


@pytest.mark.parametrize(
    ("severity", "probability", "level", "band"),
    [
        ("3", "0.001", "high", "> 1/10 000"),
        ("3", "1/1000", "high", "> 1/10 000"),
        ("4", "0.6", "serious", "> 50 %"),
        ("1", "0.6", "high", "> 50 %"),
        ("2", "1/500", "high", "> 1/1 000"),
        ("4", "1/1000000", "low", "< 1/1 000 000"),
        ("۴", "۰٫۰۰۰۰۰۲", "medium", "> 1/1 000 000"),
        ("1", "100%", "high", "> 50 %"),
    ],
)
def test_risk_level_answers_the_level_and_band_without_sign_in(client, severity, probability, level, band):
    response = client.get(URL, {"severity": severity, "probability": probability})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["risk_level"] == level and body["band"] == band
    assert body["severity"] == int(severity.replace("۴", "4"))
    assert 0 < body["probability"] <= 1


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"severity": "5", "probability": "0.1"}, "severity_out_of_range", "severity"),
        ({"severity": "0", "probability": "0.1"}, "severity_out_of_range", "severity"),
        ({"severity": "abc", "probability": "0.1"}, "severity_out_of_range", "severity"),
        ({"probability": "0.1"}, "severity_out_of_range", "severity"),
        ({"severity": "3", "probability": "1.5"}, "probability_out_of_range", "probability"),
        ({"severity": "3", "probability": "0"}, "probability_out_of_range", "probability"),
        ({"severity": "3", "probability": "-0.1"}, "probability_unreadable", "probability"),
        ({"severity": "3", "probability": "nan"}, "probability_unreadable", "probability"),
        ({"severity": "3", "probability": "1/0"}, "probability_unreadable", "probability"),
        ({"severity": "3", "probability": "1e-999999999"}, "probability_unreadable", "probability"),
        ({"severity": "3"}, "probability_unreadable", "probability"),
    ],
)
def test_bad_input_is_a_400_with_code_message_and_field(client, params, code, field):
    response = client.get(URL, params)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == code and body["field"] == field and body["message"]


def test_the_message_follows_the_language(client):
    response = client.get(URL, {"severity": "9", "probability": "0.1"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "1 to 4" in response.json()["message"]
