"""Live participants of a conference (filled in by the live-control part)."""
