"""Users: the password is accepted on write and stored only as Kazoo's
``pvt_md5_auth`` / ``pvt_sha1_auth`` hashes of ``username:password``. What a
user-level caller may change is crossbar.auth.policy's rule; every change
drops the user from the revocation cache (a disabled or deleted user's tokens
stop at once)."""
from crossbar.auth import policy
from crossbar.auth.credentials import md5_credentials, sha1_credentials
from crossbar.resource import AccountDocuments
from kzcore.errors import Forbidden, ValidationFailed
from kzcore.naming import account_db

LIST_FIELDS = ("username", "email", "first_name", "last_name", "priv_level",
               "presence_id", "features", "enabled")


class UsersService(AccountDocuments):
    pvt_type = "user"
    schema_id = "users"

    def __init__(self, store, schemas, principal=None, principals=None):
        """``principal``: the caller (None: a trusted internal caller);
        ``principals``: the PrincipalCheck whose cache changes invalidate."""
        super().__init__(store, schemas)
        self.principal = principal
        self.principals = principals

    def before_validate(self, account_id, data, existing):
        data = dict(data)
        if isinstance(data.get("username"), str):
            data["username"] = data["username"].strip().lower()
        return data

    def after_validate(self, account_id, doc_id, doc, existing):
        """Never store the password itself: only its two hashes."""
        refusal = policy.user_change_refusal(self.principal, account_id, existing, doc)
        if refusal:
            raise Forbidden(refusal, {"user_id": doc_id})
        password = doc.pop("password", None)
        username = doc.get("username")
        if username:
            self._check_unique_username(account_id, doc_id, username)
        if password is not None:
            return _hashes(username, password)
        if existing is None or existing.get("username") == username:
            return {}
        raise ValidationFailed(data={"password": {"required": {
            "message": "a new username needs the password again"}}})

    def after_save(self, account_id, saved):
        self._forget(account_id, saved["_id"])

    def after_delete(self, account_id, deleted):
        self._forget(account_id, deleted["_id"])

    def _forget(self, account_id, user_id):
        if self.principals is not None:
            self.principals.forget_user(account_id, user_id)

    def _check_unique_username(self, account_id, doc_id, username):
        other = self.store.find_one(account_db(account_id),
                                    {"pvt_type": "user", "username": username,
                                     "_id": {"$ne": doc_id}})
        if other is not None:
            raise ValidationFailed(data={"username": {"unique": {
                "message": "Username already in use", "cause": username}}})

    def summarize(self, doc):
        entry = {"id": doc["_id"]}
        entry.update({key: doc[key] for key in LIST_FIELDS if key in doc})
        return entry


def _hashes(username, password):
    if not username or not isinstance(password, str) or not password:
        raise ValidationFailed(data={"password": {"minLength": {
            "message": "a password needs a username and at least 1 character",
            "target": 1}}})
    return {"pvt_md5_auth": md5_credentials(username, password),
            "pvt_sha1_auth": sha1_credentials(username, password)}
