"""Conferences: /v2/accounts/{account_id}/conferences (seed 002)."""
