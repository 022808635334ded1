"""Authentication: api_auth, user_auth, token checks and account access."""
