"""Devices (SIP phones and the like); ``owner_id`` names a user of the account."""
from crossbar.resource import AccountDocuments
from kzcore.errors import ValidationFailed
from kzcore.naming import account_db


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
        return {}

    def summarize(self, doc):
        sip = doc.get("sip") or {}
        entry = {"id": doc["_id"], "name": doc.get("name"), "username": sip.get("username"),
                 "owner_id": doc.get("owner_id"), "enabled": doc.get("enabled", True),
                 "device_type": doc.get("device_type"), "mac_address": doc.get("mac_address")}
        return {key: value for key, value in entry.items() if value is not None}
