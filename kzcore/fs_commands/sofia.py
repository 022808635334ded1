"""mod_sofia api commands and gateway dial strings (PURE; the sofia half of
``kzcore.fs_commands``).

Everything here reaches FreeSWITCH's api line, whose words are split on spaces,
or an originate dial string, which ``switch_ivr_originate`` splits on ``,`` and
``|`` and whose ``{...}`` / ``[...]`` blocks set variables. So every value is
checked against a strict pattern and ``InvalidCommandArgument`` names the field
that was refused.

Replies (recorded in fixtures/freeswitch/round5, mod_sofia.c ``cmd_profile``):
``rescan`` -> ``Reload XML [Success]\\n+OK scan complete\\n``; ``killgw`` ->
``+OK gateway marked for deletion.`` or ``-ERR no such gateway.``; an unknown
profile -> ``Invalid Profile [<name>]`` (no ``-ERR``: judge by the ``+OK``).
"""
import re

from kzcore.fs_commands.validate import PROFILE_NAME, invalid

GATEWAY_NAME = re.compile(r"[A-Za-z0-9_.\-]{1,64}")
# The request-URI user a gateway is sent: digits and the few characters carriers
# use (a technical prefix such as 1234#), or user@host[:port] for sip: URIs.
GATEWAY_USER = re.compile(r"[A-Za-z0-9*#+._\-]{1,64}")
GATEWAY_URI = re.compile(r"[A-Za-z0-9*#+._\-]{1,64}@[A-Za-z0-9.\-]{1,253}(:[0-9]{1,5})?")
CODEC = re.compile(r"[A-Za-z0-9][A-Za-z0-9.@_\-]{0,31}")
PROFILE_ACTIONS = ("rescan", "killgw", "startgw")
RESCAN_OK = "+OK scan complete"
KILLGW_OK = "+OK gateway marked for deletion."
KILLGW_UNKNOWN = "-ERR no such gateway."


def valid_profile(value, field="profile"):
    if not isinstance(value, str) or not PROFILE_NAME.fullmatch(value):
        raise invalid(field, "may only hold letters, digits, '_', '.' and '-' (1-64)", value)
    return value


def valid_gateway_name(value, field="gateway"):
    if not isinstance(value, str) or not GATEWAY_NAME.fullmatch(value):
        raise invalid(field, "may only hold letters, digits, '_', '.' and '-' (1-64)", value)
    return value


def profile_command(profile, action, gateway=None):
    """``sofia profile <profile> rescan`` / ``killgw <gw>`` / ``startgw <gw>``."""
    if action not in PROFILE_ACTIONS:
        raise invalid("action", "must be one of " + ", ".join(PROFILE_ACTIONS), action)
    words = ["sofia", "profile", valid_profile(profile), action]
    if action == "rescan":
        if gateway is not None:
            raise invalid("gateway", "rescan takes no gateway", gateway)
    else:
        words.append(valid_gateway_name(gateway))
    return " ".join(words)


def status_gateways():
    """``sofia status gateway``: one line per gateway of every running profile."""
    return "sofia status gateway"


def status_gateway(gateway):
    """``sofia status gateway <gw>``: its Status (UP/DOWN) and counters."""
    return f"sofia status gateway {valid_gateway_name(gateway)}"


def valid_gateway_user(value, field="number"):
    """What follows ``sofia/gateway/<gw>/``: a number or user@host[:port]."""
    if not isinstance(value, str) or not (GATEWAY_USER.fullmatch(value)
                                          or GATEWAY_URI.fullmatch(value)):
        raise invalid(field, "must be digits, letters and * # + . _ - (1-64), or "
                             "user@host[:port]", value)
    return value


def valid_codecs(codecs, field="codecs"):
    if isinstance(codecs, str) or not isinstance(codecs, (list, tuple)) or not codecs:
        raise invalid(field, "must be a non-empty list of codec names", codecs)
    for codec in codecs:
        if not isinstance(codec, str) or not CODEC.fullmatch(codec):
            raise invalid(field, "codec names hold letters, digits and . @ _ - (1-32)", codec)
    return list(codecs)


def leg_block(codecs=None, progress_timeout=None):
    """The per-leg ``[...]`` block of one gateway leg, with ``^^:`` as separator so
    that the codec list keeps its commas (switch_event_create_brackets)."""
    pairs = []
    if codecs:
        pairs.append("absolute_codec_string=" + ",".join(valid_codecs(codecs)))
    if progress_timeout is not None:
        if isinstance(progress_timeout, bool) or not isinstance(progress_timeout, int) \
                or not 1 <= progress_timeout <= 600:
            raise invalid("progress_timeout", "must be an integer from 1 to 600",
                          progress_timeout)
        pairs.append(f"leg_progress_timeout={progress_timeout}")
    return "[^^:" + ":".join(pairs) + "]" if pairs else ""


def gateway_endpoint(gateway, user, codecs=None, progress_timeout=None):
    """``[^^:...]sofia/gateway/<gw>/<user>``: one leg through one gateway."""
    return (leg_block(codecs, progress_timeout)
            + f"sofia/gateway/{valid_gateway_name(gateway)}/{valid_gateway_user(user)}")


def failover_string(legs):
    """``leg1|leg2|...``: ``bridge``'s sequential failover over gateway legs, each
    ``(gateway, user, codecs, progress_timeout)`` checked as gateway_endpoint does."""
    if not legs:
        raise invalid("legs", "at least one gateway leg is needed")
    return "|".join(gateway_endpoint(*leg) for leg in legs)
