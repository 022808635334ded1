"""Resources (carriers) of an account, and the system's (``offnet``).

On top of the schema (``resources``, ``resources.gateway``): every rule must be
a safe regex (``kzcore.safe_regex``), the caller-id name must be one FreeSWITCH
can take, and passwords are never shown (``********``; sent back unchanged, the
mask keeps the stored password of the gateway with the same server and user).
Every saved or deleted resource brings the switches' gateways in line
(``sync``, crossbar.resources.sync) and the reply says how that went per node.
"""
import copy
import uuid

from crossbar.resource import AccountDocuments
from crossbar.resources import catalog
from kzcore import fs_commands, safe_regex
from kzcore.errors import ValidationFailed

PASSWORD_MASK = "********"


def masked(doc):
    """A copy of ``doc`` with every gateway password replaced by the mask."""
    shown = copy.deepcopy(doc)
    for gateway in shown.get("gateways") or []:
        if isinstance(gateway, dict) and gateway.get("password"):
            gateway["password"] = PASSWORD_MASK
    return shown


def _invalid(field, keyword, message, value=None):
    detail = {"message": message}
    if value is not None:
        detail["value"] = value
    return ValidationFailed(data={field: {keyword: detail}})


def unmask_passwords(data, existing):
    """Put the stored password back where the client sent the mask."""
    gateways = data.get("gateways")
    if not isinstance(gateways, list):
        return data
    stored = [g for g in (existing or {}).get("gateways") or [] if isinstance(g, dict)]
    for index, gateway in enumerate(gateways):
        if not isinstance(gateway, dict) or gateway.get("password") != PASSWORD_MASK:
            continue
        same = [g for g in stored if g.get("server") == gateway.get("server")
                and g.get("username") == gateway.get("username") and g.get("password")]
        if not same:
            raise _invalid(f"gateways.{index}.password", "invalid",
                           "the mask stands only for the stored password of a gateway with "
                           "the same server and username; send the password itself")
        gateway["password"] = same[0]["password"]
    return data


def check_rules(doc):
    for index, rule in enumerate(doc.get("rules") or []):
        try:
            safe_regex.check(rule)
        except safe_regex.UnsafeRegex as why:
            raise _invalid(f"rules.{index}", "regex", f"rule {why}", rule) from None


def check_caller_id(doc):
    name = (doc.get("caller_id_options") or {}).get("name")
    if name is not None:
        fs_commands.valid_caller_id_name(name, "caller_id_options.name")


class ResourcesService(AccountDocuments):
    """An account's resources (``/v2/accounts/{account_id}/resources``)."""
    pvt_type = catalog.PVT_TYPE
    schema_id = "resources"

    def __init__(self, store, schemas, sync=None):
        """``sync()``: brings the switches in line, returns per-node results (or None)."""
        super().__init__(store, schemas)
        self.sync = sync

    def before_validate(self, account_id, data, existing):
        return unmask_passwords(copy.deepcopy(data), existing)

    def after_validate(self, account_id, doc_id, doc, existing):
        check_rules(doc)
        check_caller_id(doc)
        return {} if existing is not None else {"pvt_gateway_salt": uuid.uuid4().hex}

    def after_save(self, account_id, saved):
        catalog.note_account(self.store, account_id)

    def synced(self):
        """Per-node results of bringing the gateways in line (None: no switch)."""
        return self.sync() if self.sync is not None else None

    def summarize(self, doc):
        entry = {"id": doc["_id"], "name": doc.get("name"), "enabled": doc.get("enabled", True),
                 "weight_cost": doc.get("weight_cost"), "rules": doc.get("rules", []),
                 "gateways": len(doc.get("gateways") or [])}
        return {key: value for key, value in entry.items() if value is not None}


class SystemResourcesService(ResourcesService):
    """The system's resources (``/v2/resources``, superduper admins only)."""

    def db_name(self, account_id):
        return catalog.SYSTEM_DB

    def after_save(self, account_id, saved):
        pass
