import pytest

from hami.core.identifiers import (
    is_valid_legal_id,
    is_valid_national_code,
    legal_id_check_digit,
    make_legal_id,
    make_national_code,
)


def test_known_legal_id_is_valid():
    assert is_valid_legal_id("10380284790")


def test_legal_id_with_wrong_check_digit_is_invalid():
    assert not is_valid_legal_id("10380284791")


@pytest.mark.parametrize("value", ["1038028479", "103802847900", "1038028479a", "", "00000000000"])
def test_malformed_legal_ids_are_invalid(value):
    assert not is_valid_legal_id(value)


def test_legal_id_in_persian_digits_is_accepted():
    assert is_valid_legal_id("۱۰۳۸۰۲۸۴۷۹۰")


def test_made_legal_ids_validate_and_check_digit_maps_ten_to_zero():
    for first_ten in ("1010012345", "1400012001", "1086543210", "1023456789"):
        assert is_valid_legal_id(make_legal_id(first_ten))
    assert 0 <= legal_id_check_digit("1010012345") <= 9


def test_known_national_code_is_valid_and_a_changed_digit_is_not():
    assert is_valid_national_code("0499370899")
    assert not is_valid_national_code("0499370898")


def test_repeated_digit_national_codes_are_rejected():
    assert not is_valid_national_code("1111111111")


def test_made_national_codes_validate():
    for first_nine in ("001234567", "123456789", "987654321"):
        assert is_valid_national_code(make_national_code(first_nine))
