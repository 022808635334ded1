"""Users of an account: /v2/accounts/{account_id}/users."""
