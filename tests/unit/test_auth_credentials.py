"""crossbar.auth.credentials: the hashes Kazoo clients send and the name/number forms
logins are matched on (exact values: a wrong one locks every user out, or lets a
look-alike name in)."""
import hashlib

import pytest

from crossbar.auth.credentials import (MAX_PHONE_NUMBER, md5_credentials, normalize_account_name,
                                       normalize_phone_number, sha1_credentials)


def test_md5_credentials_are_md5_of_lowercased_user_colon_password():
    assert md5_credentials("Alice", "Secret") == hashlib.md5(b"alice:Secret").hexdigest()
    assert md5_credentials("bob", "pw") == hashlib.md5(b"bob:pw").hexdigest()


def test_sha1_credentials_are_sha1_of_lowercased_user_colon_password():
    assert sha1_credentials("Alice", "Secret") == hashlib.sha1(b"alice:Secret").hexdigest()
    assert sha1_credentials("Émile", "pässword") == \
        hashlib.sha1("émile:pässword".encode("utf-8")).hexdigest()


@pytest.mark.parametrize("name, expected", [
    ("My Account", "myaccount"), ("ACME-Corp. 2", "acmecorp2"), ("", ""), (None, ""),
    ("äbc", "bc"), ("a_b", "ab"),
])
def test_account_names_are_matched_lowercase_alphanumeric(name, expected):
    assert normalize_account_name(name) == expected


@pytest.mark.parametrize("value, expected", [
    ("+1 (415) 555-0100", "14155550100"), ("4155550100", "4155550100"), ("abc", ""),
    (None, ""), (14155550100, ""), ("1" * MAX_PHONE_NUMBER, "1" * 64),
    ("1" * (MAX_PHONE_NUMBER + 1), ""),
])
def test_phone_numbers_are_digits_only_and_bounded(value, expected):
    assert MAX_PHONE_NUMBER == 64
    assert normalize_phone_number(value) == expected
