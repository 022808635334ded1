"""Accounts: /v2/accounts/{account_id} (+ children, descendants, api_key)."""
