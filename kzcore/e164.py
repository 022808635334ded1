"""Dialled numbers to E.164 and back to what a carrier wants (PURE).

Resources' rules match the E.164 form (``+15551234567``) whatever the user typed,
so ``5551234567``, ``1 (555) 123-4567`` and ``+1 555 123 4567`` all meet the same
rule. ``normalize(number, country_code)`` follows Kazoo's default converters:

- ``+<digits>`` stays as it is (8 to 15 digits after the ``+``);
- an international prefix becomes ``+``: ``00<digits>``, and ``011<digits>`` in
  the North American Numbering Plan (country code 1);
- country code 1: ten digits ``NXXNXXXXXX`` become ``+1NXXNXXXXXX``, eleven
  digits ``1NXXNXXXXXX`` become ``+1NXXNXXXXXX``;
- any other country code: a national number with its trunk prefix ``0``
  (``0`` + 7 to 13 digits) becomes ``+<cc>`` + the digits after the ``0``;
- anything else (short codes such as ``911`` or ``112``, ``*``/``#``) is not a
  public number: ``None`` (rules then match the number as dialled).

Separators a person types (spaces, ``-``, ``.``, ``(``, ``)``) are ignored.

``invite_number(e164, dialled, invite_format)`` is the number a gateway is sent:
``e164`` (``+15551234567``), ``1npan`` (``15551234567``: the E.164 digits without
``+``), ``npan`` (``5551234567``: without ``+`` and country code 1; other
countries' numbers are sent as their digits without ``+``) or ``route`` (the
number exactly as dialled, separators removed).
"""
import re

SEPARATORS = re.compile(r"[\s\-.()]")
DIALLED = re.compile(r"\+?[0-9*#]{1,32}")
E164 = re.compile(r"\+[1-9][0-9]{7,14}")
NANP = re.compile(r"1?([2-9][0-9]{2}[2-9][0-9]{6})")
COUNTRY_CODE = re.compile(r"[1-9][0-9]{0,2}")
INVITE_FORMATS = ("e164", "npan", "1npan", "route")
DEFAULT_COUNTRY_CODE = "1"


def valid_country_code(code):
    """``"1"``, ``"44"``...: 1 to 3 digits, not starting with 0 (ValueError otherwise)."""
    text = str(code).strip().lstrip("+")
    if not COUNTRY_CODE.fullmatch(text):
        raise ValueError(f"not a country calling code: {code!r} (1-3 digits, e.g. 1 or 44)")
    return text


def cleaned(number):
    """The number without typed separators, or None when it is not a dialled number."""
    if not isinstance(number, str):
        return None
    text = SEPARATORS.sub("", number)
    return text if DIALLED.fullmatch(text) else None


def normalize(number, country_code=DEFAULT_COUNTRY_CODE):
    """The E.164 form of a dialled number, or None (see the module docstring)."""
    text = cleaned(number)
    if text is None or "*" in text or "#" in text:
        return None
    code = valid_country_code(country_code)
    if text.startswith("+"):
        candidate = text
    elif text.startswith("00"):
        candidate = "+" + text[2:]
    elif code == "1" and text.startswith("011"):
        candidate = "+" + text[3:]
    elif code == "1":
        nanp = NANP.fullmatch(text)
        candidate = "+1" + nanp.group(1) if nanp else None
    elif text.startswith("0") and 8 <= len(text) <= 14:
        candidate = "+" + code + text[1:]
    else:
        candidate = None
    return candidate if candidate and E164.fullmatch(candidate) else None


def invite_number(e164, dialled, invite_format="e164"):
    """The number as the gateway wants it; ``e164`` may be None (not a public
    number): every format then sends the dialled digits."""
    if invite_format not in INVITE_FORMATS:
        raise ValueError(f"unknown invite_format {invite_format!r}")
    raw = cleaned(dialled) or ""
    if invite_format == "route" or e164 is None:
        return raw
    if invite_format == "e164":
        return e164
    digits = e164[1:]
    if invite_format == "npan" and digits.startswith("1") and len(digits) == 11:
        return digits[1:]
    return digits
