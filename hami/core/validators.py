from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from hami.core.identifiers import clean_digits, is_valid_legal_id, is_valid_national_code


def validate_legal_id(value: str) -> None:
    digits = clean_digits(value)
    if len(digits) != 11 or not (digits.isascii() and digits.isdigit()):
        raise ValidationError(_("A national legal identifier has 11 digits."), code="legal_id_length")
    if not is_valid_legal_id(digits):
        raise ValidationError(
            _("The national legal identifier {value} fails its check digit.").format(value=digits),
            code="legal_id_check_digit",
        )


def validate_national_code(value: str) -> None:
    digits = clean_digits(value)
    if len(digits) != 10 or not (digits.isascii() and digits.isdigit()):
        raise ValidationError(_("A national code has 10 digits."), code="national_code_length")
    if not is_valid_national_code(digits):
        raise ValidationError(
            _("The national code {value} fails its check digit.").format(value=digits),
            code="national_code_check_digit",
        )


def validate_isic(value: str) -> None:
    """An ISIC Rev.4 class: four ASCII digits (empty is allowed where the field is optional)."""
    if value and not (len(value) == 4 and value.isascii() and value.isdigit()):
        raise ValidationError(_("An ISIC class has four digits, for example 1050."), code="isic")
