"""Devices (SIP phones and the like); ``owner_id`` names a user of the account;
``sip.realm``, when given, must be the account's realm (a device registers and
is dialled as ``user@<account realm>``: naming another realm would reach another
account's phones)."""
from crossbar.resource import AccountDocuments
from kzcore.errors import ValidationFailed
from kzcore.naming import ACCOUNTS_DB, account_db


class DevicesService(AccountDocuments):
    pvt_type = "device"
    schema_id = "devices"

    def after_validate(self, account_id, doc_id, doc, existing):
        owner_id = doc.get("owner_id")
        if owner_id:
            owner = self.store.get_or_none(account_db(account_id), owner_id)
            if owner is None or owner.get("pvt_type") != "user":
                raise ValidationFailed(data={"owner_id": {"not_found": {
                    "message": "owner_id is not a user of this account", "value": owner_id}}})
        self._check_realm(account_id, (doc.get("sip") or {}).get("realm"))
        return {}

    def _check_realm(self, account_id, realm):
        if not realm:
            return
        account_realm = (self.store.get_or_none(ACCOUNTS_DB, account_id) or {}).get("realm")
        if not isinstance(realm, str) or not isinstance(account_realm, str) \
                or realm.strip().lower() != account_realm.strip().lower():
            raise ValidationFailed(data={"sip.realm": {"invalid": {
                "message": "sip.realm must be the account's realm", "value": realm,
                "target": account_realm}}})

    def summarize(self, doc):
        sip = doc.get("sip") or {}
        entry = {"id": doc["_id"], "name": doc.get("name"), "username": sip.get("username"),
                 "owner_id": doc.get("owner_id"), "enabled": doc.get("enabled", True),
                 "device_type": doc.get("device_type"), "mac_address": doc.get("mac_address")}
        return {key: value for key, value in entry.items() if value is not None}
