import pytest

from hami.core.persian import normalize_text, search_key, search_terms, to_persian_digits


def test_arabic_yeh_and_kaf_become_persian():
    assert normalize_text("كيميا گستر") == "کیمیا گستر"


def test_digits_of_every_script_become_ascii_and_persian_on_the_way_out():
    assert normalize_text("۱۲۳٤٥٦") == "123456"
    assert to_persian_digits("1405/09/07") == "۱۴۰۵/۰۹/۰۷"


def test_normalize_keeps_zwnj_and_drops_tatweel_and_invisible_marks():
    assert normalize_text("می\u200cشود") == "می\u200cشود"
    assert normalize_text("کـــارخانه\u200f") == "کارخانه"


@pytest.mark.parametrize(
    "typed",
    ["بوئین‌زهرا", "بوئین زهرا", "بویینزهرا", "بويين زهرا", "بوئين‌زهرا"],
)
def test_every_spelling_of_a_name_is_found_in_its_key(typed):
    key = search_key("صنایع بوئین‌زهرا")
    assert all(term in key for term in search_terms(typed))


def test_a_different_name_is_not_found():
    key = search_key("صنایع بوئین‌زهرا")
    assert not all(term in key for term in search_terms("تاکستان"))


def test_search_folds_case_and_hamza_forms():
    assert search_terms("Kimia  GOSTAR") == ["kimia", "gostar"]
    assert search_terms("مؤسسه") == ["موسسه"]
