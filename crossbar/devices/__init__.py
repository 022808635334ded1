"""Devices of an account: /v2/accounts/{account_id}/devices."""
