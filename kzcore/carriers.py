"""Carriers (Kazoo "resources"): their gateways as FreeSWITCH knows them, and
which gateways a dialled number goes through, in which order (PURE).

A resource document holds ``rules`` (regexes on the number), ``weight_cost``
(lower = tried first), ``enabled`` and ``gateways[]`` (``server``, ``port``,
``realm``, ``username``, ``password``, ``prefix``, ``suffix``, ``codecs``,
``invite_format``, ``progress_timeout``, ``enabled``). System resources (the
``offnet`` database) serve every account; an account's own resources serve only
that account.

Gateway names. Every enabled gateway of every enabled resource is one sofia
gateway on the external profile, named ``kz_<20 hex>``: a digest of the
resource's private salt (``pvt_gateway_salt``, never shown), its id and
revision, the gateway's position and every parameter FreeSWITCH is given. The
name is opaque (no account id, nothing to guess a password from) and new after
every save of the resource. That matters because ``sofia profile ... rescan``
adds new gateways but neither changes nor removes existing ones (round 5), and
a killed gateway lingers until the switch's next once-a-second check: a saved
resource's gateways appear under new names, the old names are killed
(``killgw``), and no name is ever reused.
"""
import dataclasses
import functools
import hashlib
import json

from kzcore import e164, safe_regex

GATEWAY_PREFIX = "kz_"
DEFAULT_SIP_PORT = 5060
SYSTEM, ACCOUNT = "system", "account"
ORDERS = ("account_first", "system_first", "account_only", "system_only")
DEFAULT_ORDER = "account_first"


@dataclasses.dataclass(frozen=True)
class Gateway:
    """One sofia gateway: its name and the ``<param>`` pairs FreeSWITCH gets."""
    name: str
    params: tuple
    resource_id: str
    index: int
    spec: dict = dataclasses.field(compare=False, hash=False)


@dataclasses.dataclass(frozen=True)
class Attempt:
    """One try of one number through one gateway of one resource."""
    resource_id: str
    resource_name: str
    scope: str
    gateway_index: int
    gateway: str         # the sofia gateway name
    server: str
    user: str            # request-URI user: prefix + formatted number + suffix
    codecs: tuple = ()
    progress_timeout: int = None


def gateway_params(spec):
    """``[(name, value)]`` of a gateway's ``<param>`` elements (register=false:
    carriers authenticate our INVITEs; username/password answer their challenge)."""
    proxy = spec["server"] + (f":{spec['port']}" if spec.get("port") else "")
    params = [("proxy", proxy), ("register", "false"), ("caller-id-in-from", "true")]
    for key, param in (("realm", "realm"), ("username", "username"), ("password", "password")):
        if spec.get(key):
            params.append((param, str(spec[key])))
    return params


def gateway_name(salt, resource_id, index, params):
    canonical = json.dumps([salt or "", resource_id, index, params], separators=(",", ":"))
    return GATEWAY_PREFIX + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:20]


def is_ours(name):
    return isinstance(name, str) and name.startswith(GATEWAY_PREFIX)


def live_gateways(resource):
    """``[Gateway]`` of an enabled resource's enabled gateways ([] if disabled)."""
    if not isinstance(resource, dict) or resource.get("enabled") is False:
        return []
    out = []
    for index, spec in enumerate(resource.get("gateways") or []):
        if not isinstance(spec, dict) or spec.get("enabled") is False or not spec.get("server"):
            continue
        params = tuple(gateway_params(spec))
        name = gateway_name(resource.get("pvt_gateway_salt"),
                            f"{resource.get('_id')}@{resource.get('_rev')}", index,
                            [list(p) for p in params])
        out.append(Gateway(name, params, resource.get("_id"), index, spec))
    return out


@functools.lru_cache(maxsize=1024)
def _compiled(rule):
    """The rule compiled once it passed the safety check; None if it does not
    (refused on save: a document written around the API is skipped)."""
    try:
        return safe_regex.check(rule)
    except safe_regex.UnsafeRegex:
        return None


def _rules(resource):
    rules = [_compiled(rule) for rule in resource.get("rules") or [] if isinstance(rule, str)]
    return [rule for rule in rules if rule is not None]


def matches(resource, dialled, normalized):
    """True when one of the resource's rules matches the E.164 form (or, for a
    number that has none, the number as dialled). No rules: no number."""
    subject = normalized or e164.cleaned(dialled) or ""
    return any(rule.search(subject) for rule in _rules(resource))


def _ordered(resources):
    usable = [r for r in resources if isinstance(r, dict) and r.get("enabled") is not False]
    return sorted(usable, key=lambda r: (_weight(r), str(r.get("name") or ""), str(r.get("_id"))))


def _weight(resource):
    weight = resource.get("weight_cost")
    return weight if isinstance(weight, int) and not isinstance(weight, bool) else 1


def scoped(account_resources, system_resources, order=DEFAULT_ORDER):
    """``[(scope, resource)]`` in the order they are tried."""
    own = [(ACCOUNT, r) for r in _ordered(account_resources)]
    system = [(SYSTEM, r) for r in _ordered(system_resources)]
    order = order if order in ORDERS else DEFAULT_ORDER
    return {"account_first": own + system, "system_first": system + own,
            "account_only": own, "system_only": system}[order]


def _attempts(scope, resource, user_of):
    out = []
    for gateway in live_gateways(resource):
        spec = gateway.spec
        user = user_of(spec)
        out.append(Attempt(resource.get("_id"), resource.get("name") or "", scope, gateway.index,
                           gateway.name, spec["server"], user, tuple(spec.get("codecs") or ()),
                           spec.get("progress_timeout")))
    return out


def number_plan(dialled, account_resources, system_resources, order=DEFAULT_ORDER,
                country_code=e164.DEFAULT_COUNTRY_CODE):
    """``[Attempt]`` for a dialled number: every gateway of every matching
    resource, resources by scope order then weight_cost, gateways as listed."""
    normalized = e164.normalize(dialled, country_code)

    def user_of(spec):
        number = e164.invite_number(normalized, dialled, spec.get("invite_format", "e164"))
        return f"{spec.get('prefix') or ''}{number}{spec.get('suffix') or ''}"

    plan = []
    for scope, resource in scoped(account_resources, system_resources, order):
        if matches(resource, dialled, normalized):
            plan.extend(_attempts(scope, resource, user_of))
    return plan


def sip_plan(user_at_host, account_resources, system_resources, order=DEFAULT_ORDER):
    """``[Attempt]`` for a ``sip:`` URI whose host is not ours, through the
    resources that allow it (``allow_sip_uris``); the URI goes unchanged."""
    plan = []
    for scope, resource in scoped(account_resources, system_resources, order):
        if resource.get("allow_sip_uris") is True:
            plan.extend(_attempts(scope, resource, lambda spec: user_at_host))
    return plan


def caller_id(resource, dial_number=None, dial_name=None, account_caller_id=None):
    """``(number, name)`` for a leg through ``resource``: its ``caller_id_options``
    ``number``/``name`` when ``force`` is true; else the dial's own values; else
    the account's ``caller_id.<type>`` (type ``external`` by default); else the
    resource's ``number``/``name``; None where nothing is set (the switch default).
    A name the dial gives goes with whichever number is used (but not a forced one)."""
    options = resource.get("caller_id_options") if isinstance(resource, dict) else None
    options = options if isinstance(options, dict) else {}
    fixed = (options.get("number"), options.get("name"))
    if options.get("force") is True and fixed[0]:
        return fixed[0], fixed[1]
    kind = options.get("type") or "external"
    account = (account_caller_id or {}).get(kind) if isinstance(account_caller_id, dict) else None
    account = account if isinstance(account, dict) else {}
    for number, name in ((dial_number, dial_name),
                         (account.get("number"), account.get("name")), fixed):
        if number:
            return str(number), dial_name or name   # a dial's name goes with any number
    return None, None
