import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicgrid.core.validators import (
    id_check_digit,
    validate_division_code,
    validate_id_number,
    validate_phone,
)


def test_known_valid_id_number():
    # The GB 11643-1999 standard's own example.
    assert validate_id_number("11010519491231002x") == "11010519491231002X"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("1101051949123100", "id_length"),
        ("11010519491231002A", "id_chars"),
        ("110105194913310020", "id_birth"),
        ("110105194912310021", "id_checksum"),
    ],
)
def test_id_number_errors_name_the_rule(value, code):
    with pytest.raises(ValidationError) as exc:
        validate_id_number(value)
    assert exc.value.code == code


# Machines under load generate slowly; the property, not the speed, is under test.
RELAXED = settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)


@RELAXED
@given(st.from_regex(r"\A[1-6]\d{5}(19[5-9]\d|200\d)(0[1-9]|1[0-2])(0[1-9]|1\d|2[0-8])\d{3}\Z"))
def test_any_17_digits_plus_check_digit_is_valid(first17):
    assert validate_id_number(first17 + id_check_digit(first17)).endswith(id_check_digit(first17))


@RELAXED
@given(
    st.from_regex(r"\A[1-6]\d{5}(19[5-9]\d)(0[1-9]|1[0-2])(0[1-9]|1\d|2[0-8])\d{3}\Z"),
    st.sampled_from("0123456789X"),
)
def test_a_wrong_check_digit_is_refused(first17, check):
    if check == id_check_digit(first17):
        return
    with pytest.raises(ValidationError):
        validate_id_number(first17 + check)


@pytest.mark.parametrize("value", ["13800138000", "+86 138-0013-8000", "19912345678"])
def test_valid_phones(value):
    assert len(validate_phone(value)) == 11


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("1380013800a", "phone_chars"),
        ("1380013800", "phone_length"),
        ("12800138000", "phone_prefix"),
    ],
)
def test_phone_errors_name_the_rule(value, code):
    with pytest.raises(ValidationError) as exc:
        validate_phone(value)
    assert exc.value.code == code


def test_division_code():
    assert validate_division_code("441322001001") == "441322001001"
    with pytest.raises(ValidationError):
        validate_division_code("44132200100")


def test_credit_code():
    from civicgrid.core.validators import validate_credit_code

    assert validate_credit_code(" 9144030071526726xg ") == "9144030071526726XG"
    assert validate_credit_code("91350100M000100Y43") == "91350100M000100Y43"
    for value, code in [
        ("9144030071526726XA", "credit_checksum"),
        ("9144030071526726", "credit_length"),
        ("9144030071526726IG", "credit_chars"),
    ]:
        with pytest.raises(ValidationError) as exc:
            validate_credit_code(value)
        assert exc.value.code == code


def test_contact_phone():
    from civicgrid.core.validators import validate_contact_phone

    assert validate_contact_phone("138-0013-8000") == "13800138000"
    assert validate_contact_phone("0752-6123456") == "0752-6123456"
    assert validate_contact_phone("010-12345678-801") == "010-12345678-801"
    for value in ("12345", "0752-12", "abc"):
        with pytest.raises(ValidationError):
            validate_contact_phone(value)
