"""Who may do what: Kazoo's privilege levels, in one place (pure functions).

- API-key tokens and users with ``priv_level: "admin"`` are admins of their
  account (and, through the hierarchy, of its descendants).
- ``priv_level: "user"`` users may read what their account may reach and run
  conferences (conferences, participants, media, devices are not restricted by
  level), but may not: read or rotate the API key, change any account (create,
  replace, patch, delete), create or delete users, edit another user, manage
  webhooks (they may list them and read the delivery log), or change their own
  ``priv_level`` or ``enabled``. Their own record's other
  fields (name, email, password, ...) are theirs to edit, as in Kazoo.
- An account's ``enabled`` is changed only by an ancestor or a superduper
  admin: an account cannot disable or re-enable itself.
- Resources (carriers): an account's are read and changed by its admins only;
  the system's (``/v2/resources``) by superduper admins only.

The guard applies ``route_refusal`` to every request after the token check;
the users and accounts services apply ``user_change_refusal`` /
``account_change_refusal`` to the document about to be saved. Each returns the
reason for a 403, or None.
"""

# endpoint (the view's own name, without blueprint prefixes) -> rule
ADMIN_ONLY = frozenset({
    "account_create", "account_create_child", "account_update", "account_patch",
    "account_delete", "account_api_key", "account_api_key_rotate", "account_sign_out",
    "users_create", "users_delete",
    # a webhook sends every event of the account to an address outside: admins decide that
    "webhooks_create", "webhooks_update", "webhooks_patch", "webhooks_delete",
    "webhooks_rotate_secret",
    "resources_list", "resources_create", "resources_get", "resources_update",
    "resources_patch", "resources_delete",
})
SUPERDUPER_ONLY = frozenset({
    "system_resources_list", "system_resources_create", "system_resources_get",
    "system_resources_update", "system_resources_patch", "system_resources_delete",
})
SELF_OR_ADMIN = {"users_update": "doc_id", "users_patch": "doc_id",
                 "user_sign_out": "user_id"}   # endpoint -> path variable naming the user
USER_LEVEL_FIXED = ("priv_level", "enabled")
DEFAULTS = {"priv_level": "user", "enabled": True}


def route_refusal(principal, endpoint, view_args):
    """Why ``principal`` may not call ``endpoint`` at all, or None."""
    name = (endpoint or "").rsplit(".", 1)[-1]
    if name in SUPERDUPER_ONLY and not (principal.superduper and principal.is_admin):
        return "this needs a superduper admin"
    if principal.is_admin:
        return None
    if name in ADMIN_ONLY:
        return "this needs an admin (priv_level admin or an API key token)"
    user_var = SELF_OR_ADMIN.get(name)
    if user_var and not _is_self(principal, view_args.get("account_id"),
                                 view_args.get(user_var)):
        return "a user-level user may change only its own user"
    return None


def user_change_refusal(principal, account_id, existing, updated):
    """Why ``principal`` may not save ``updated`` over ``existing`` (None on
    create) as a user of ``account_id``, or None."""
    if principal is None or principal.is_admin:
        return None
    if existing is None or not _is_self(principal, account_id, existing.get("_id")):
        return "a user-level user may change only its own user"
    for field in USER_LEVEL_FIXED:
        if _effective(existing, field) != _effective(updated, field):
            return f"a user-level user may not change its own {field}"
    return None


def account_change_refusal(principal, account_id, existing, updated):
    """Why ``principal`` may not save ``updated`` over the account ``existing``."""
    if principal is None:
        return None
    if not principal.is_admin:
        return "this needs an admin (priv_level admin or an API key token)"
    if existing is not None and account_id == principal.account_id \
            and not principal.superduper \
            and _effective(existing, "enabled") != _effective(updated, "enabled"):
        return "an account cannot change its own enabled flag; an ancestor account can"
    return None


def _is_self(principal, account_id, user_id):
    return bool(principal.user_id) and principal.account_id == account_id \
        and principal.user_id == user_id


def _effective(doc, field):
    return doc.get(field, DEFAULTS.get(field))
