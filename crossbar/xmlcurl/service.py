"""What to answer a mod_xml_curl fetch (documents -> kzcore.fsxml builders).

Requests are identified by the fields FreeSWITCH posts (fixtures round2/round3):
``section``, ``key_value``, and for conference profiles ``conference_name`` /
``profile_name`` (first fetch) or ``Conf-Name`` / ``Conf-Profile`` with
``Action=request-controls`` (second fetch); for the directory ``user`` and the
domain in ``key_value``; for the external SIP profile's gateways ``key_value=
sofia.conf`` with ``profile`` (round 5); for calls out through carriers
``section=dialplan``. Anything we do not own gets the not-found document, so
FreeSWITCH falls back to its static configuration.
"""
import logging

from crossbar.xmlcurl import dialplan, sofia
from kzcore import fsxml, fsxml_sofia, naming
from kzcore.errors import DatabaseMissing, NotFound, StoreUnavailable

log = logging.getLogger(__name__)

DEVICE_VARIABLES = (("kz_account_id", None), ("kz_device_id", None), ("device_owner", "owner_id"))


class XmlCurlService:
    def __init__(self, store, sounds_dir=fsxml.DEFAULT_SOUNDS_DIR, sofia_profile="external",
                 country_code="1"):
        self.store = store
        self.sounds_dir = sounds_dir
        self.sofia_profile, self.country_code = sofia_profile, country_code

    def answer(self, params):
        section = params.get("section")
        try:
            if section == "configuration" and params.get("key_value") == "conference.conf":
                return self.conference(params)
            if section == "directory":
                return self.directory(params)
            # carriers (issue 15): the external profile's gateways, device calls out
            if fsxml_sofia.wants_profile(params, self.sofia_profile):
                return sofia.answer(self.store, self.sofia_profile)
            if section == "dialplan":
                return dialplan.answer(self.store, params, self.country_code)
        except (StoreUnavailable, DatabaseMissing) as exc:
            log.error("xml_curl lookup failed", extra={"section": section, "error": str(exc)})
        return fsxml.not_found()

    # --- conference.conf -------------------------------------------------------
    def conference(self, params):
        room = params.get("conference_name") or params.get("Conf-Name") or ""
        profile_name = params.get("profile_name") or params.get("Conf-Profile") or "default"
        owner = naming.parse_fs_conference_name(room)
        doc = self._conference_doc(*owner) if owner else None
        if doc is None or not fsxml.valid_profile_name(profile_name):
            return fsxml.not_found()
        params_out = fsxml.conference_profile_params(doc, self.sounds_dir)
        groups = fsxml.control_groups(doc, params_out)
        log.info("conference profile served", extra={
            "conference": room, "profile": profile_name, "fetch": params.get("Action") or "profile"})
        return fsxml.conference_configuration(profile_name, params_out, groups)

    def _conference_doc(self, account_id, conference_id):
        try:
            doc = self.store.get(naming.account_db(account_id), conference_id)
        except NotFound:
            return None
        if doc.get("pvt_type") != "conference" or doc.get("pvt_deleted"):
            return None
        return doc

    # --- directory -------------------------------------------------------------
    def directory(self, params):
        domain = (params.get("key_value") or params.get("domain") or "").strip().lower()
        user = params.get("user") or ""
        if not domain or not user:
            return fsxml.not_found()
        account = self.store.find_one(naming.ACCOUNTS_DB, {"pvt_type": "account", "realm": domain})
        if account is None or account.get("enabled") is False:
            return fsxml.not_found()
        device = self._device(account["_id"], user, domain)
        if device is None:
            return fsxml.not_found()
        sip = device["sip"]
        secret = [("a1-hash", fsxml.a1_hash(user, domain, sip["password"]))]
        variables = [("user_context", "default"), ("kz_account_id", account["_id"]),
                     ("kz_device_id", device["_id"])]
        if isinstance(device.get("owner_id"), str):
            variables.append(("kz_owner_id", device["owner_id"]))
        if isinstance(device.get("name"), str) and device["name"]:
            variables.append(("effective_caller_id_name", device["name"]))
        return fsxml.directory_user(domain, user, secret, variables)

    def _device(self, account_id, user, domain):
        devices = self.store.find(naming.account_db(account_id),
                                  {"pvt_type": "device", "sip.username": user})
        for device in devices:
            sip = device.get("sip") if isinstance(device.get("sip"), dict) else {}
            realm = (sip.get("realm") or domain).strip().lower()
            if (device.get("pvt_deleted") or device.get("enabled") is False or realm != domain
                    or sip.get("method", "password") != "password"
                    or not isinstance(sip.get("password"), str) or not sip["password"]):
                continue
            return device
        return None
