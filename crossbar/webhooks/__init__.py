"""Webhooks of an account: /v2/accounts/{account_id}/webhooks (Kazoo's resource),
its delivery log (``/attempts``) and secret rotation (``/secret``). The
deliveries themselves are made by the ``kz-webhooks`` service (package ``webhooks``)."""
