"""Kazoo credential hashes and name normalisation (pure)."""
import hashlib
import re


def md5_credentials(username, password):
    """What Kazoo clients send as ``credentials``: md5("user:pass") in hex."""
    return hashlib.md5(f"{username.lower()}:{password}".encode("utf-8")).hexdigest()


def sha1_credentials(username, password):
    """The ``"method": "sha"`` variant: sha1("user:pass") in hex."""
    return hashlib.sha1(f"{username.lower()}:{password}".encode("utf-8")).hexdigest()


def normalize_account_name(name):
    """Kazoo matches account names lower-cased with non-alphanumerics removed."""
    return re.sub(r"[^0-9a-z]", "", (name or "").lower())


MAX_PHONE_NUMBER = 64  # Kazoo's user_auth schema: phone_number is string(1..64)


def normalize_phone_number(value):
    """Digits only (``+1 (415) 555-0100`` -> ``14155550100``), the form numbers
    are indexed in; "" for anything that is not a usable number."""
    if not isinstance(value, str) or len(value) > MAX_PHONE_NUMBER:
        return ""
    return re.sub(r"[^0-9]", "", value)
