"""Protected health information never appears in full in repr(), str() or error messages."""

from __future__ import annotations

from itertools import pairwise

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from medbill import Address, PersonName, Relationship, Subscriber, ValidationError
from medbill._privacy import mask_date, mask_id, mask_text
from medbill.serialize import from_dict, to_dict
from medbill.testing import make_claim, make_coverage, make_patient

NAME = PersonName(family="Hawthorne", given="Beatrice")
BIRTH = pendulum.date(1961, 8, 23)
HOME = Address(line1="742 Evergreen Terrace", city="Springfield", state="IL", postal_code="62704")


def _secrets() -> list[str]:
    return [
        "Hawthorne",
        "Beatrice",
        "1961-08-23",
        "Evergreen",
        "62704",
        "ZX99887766",
        "217-555-0199",
        "beatrice@example.org",
    ]


def test_entity_reprs_mask_phi() -> None:
    patient = make_patient(
        name=NAME,
        birth_date=BIRTH,
        address=HOME,
        phone="217-555-0199",
        email="beatrice@example.org",
    )
    subscriber = Subscriber(name=NAME, birth_date=BIRTH, address=HOME)
    coverage = make_coverage(
        member_id="ZX99887766", relationship=Relationship.CHILD, subscriber=subscriber
    )
    claim = make_claim(patient=patient, coverage=coverage)
    for text in (repr(patient), str(patient), repr(coverage), repr(claim), str(claim)):
        for secret in _secrets():
            assert secret not in text
    assert "B******* H********" in repr(patient)
    assert "19**-**-**" in repr(patient)
    assert "******7766" in repr(coverage)
    # Codes, amounts and ids are not masked.
    assert "MRN-0001" in repr(claim)
    assert "150.00" in repr(claim)
    assert "E11.9" in repr(claim)


def test_error_messages_mask_phi() -> None:
    with pytest.raises(ValidationError) as caught:
        make_patient(name=NAME, birth_date="1961-08-23", email="beatrice@example", phone="55")
    message = str(caught.value) + repr(caught.value)
    for secret in ("1961-08-23", "beatrice@example", "Beatrice"):
        assert secret not in message
    with pytest.raises(ValidationError) as caught:
        PersonName(family="", given="Beatrice")
    assert "Beatrice" not in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        Address(line1="742 Evergreen Terrace", city="Springfield", state="IL", postal_code="627")
    assert "627" not in str(caught.value).replace("postal_code", "")


def test_member_id_masked_in_errors_from_json() -> None:
    data = to_dict(make_coverage(member_id="ZX99887766"))
    data["member_id"] = "   "
    with pytest.raises(ValidationError) as caught:
        from_dict(type(make_coverage()), data)
    assert caught.value.field == "member_id"


# Letters (with an accented one), digits, the underscore, and separators between words.
_TEXT = st.text(st.sampled_from("abJZé09_ .,-'"), min_size=1, max_size=30)


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _masked_correctly(text: str, masked: str) -> bool:
    """Each word shows its first character only; everything between words is kept."""
    if len(masked) != len(text):
        return False
    for index, (original, shown) in enumerate(zip(text, masked, strict=True)):
        first = index == 0 or not _is_word(text[index - 1])
        expected = original if not _is_word(original) or first else "*"
        if shown != expected:
            return False
    return True


@given(_TEXT)
def test_mask_text_keeps_only_first_letters(text: str) -> None:
    assert _masked_correctly(text, mask_text(text))


@given(_TEXT.filter(lambda t: any(_is_word(a) and _is_word(b) for a, b in pairwise(t))))
def test_the_masking_property_fails_for_no_masking(text: str) -> None:
    # the property above must be able to fail: showing a word of two or more characters in
    # full (the identity function) breaks it
    assert not _masked_correctly(text, text)


@given(st.dates())
def test_mask_date_keeps_only_the_century(day: object) -> None:
    masked = mask_date(day)  # type: ignore[arg-type]
    assert masked[2:] == "**-**-**"


@given(st.text("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=5, max_size=20))
def test_mask_id_shows_last_four(identifier: str) -> None:
    masked = mask_id(identifier)
    assert masked.endswith(identifier[-4:])
    assert set(masked[:-4]) == {"*"}
