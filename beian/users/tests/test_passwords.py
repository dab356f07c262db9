"""Password rules count only real character classes (finding 10 of issue 9): whitespace is
neither a symbol nor part of the length."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from beian.users.validators import character_classes


@pytest.mark.parametrize(
    ("password", "classes"),
    [
        (" " * 10 + "A1", 2),
        ("\t\u3000\u00a0A1", 2),
        ("abcDEF123", 3),
        ("abc-DEF", 3),
        ("宣传部Abc1！", 4),
        ("abc 123 def", 2),
    ],
)
def test_whitespace_is_no_character_class(password, classes):
    assert character_classes(password) == classes


@pytest.mark.django_db
def test_ten_spaces_and_A1_are_refused_in_chinese():
    with pytest.raises(ValidationError) as exc:
        validate_password(" " * 10 + "A1")
    assert "密码须包含大写字母、小写字母、数字、符号中的至少三类" in exc.value.messages


@pytest.mark.django_db
def test_spaces_do_not_make_a_short_password_long_enough():
    with pytest.raises(ValidationError) as exc:
        validate_password("Ab1!" + " " * 10)
    assert any("至少需要 10 个字符" in m for m in exc.value.messages)


@pytest.mark.django_db
def test_a_passphrase_with_spaces_between_words_is_fine():
    validate_password("Blue river 2026 morning")
    validate_password("宣传部-Beian2026")
