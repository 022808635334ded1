"""Media of an account: /v2/accounts/{account_id}/media (+ /raw audio)."""
