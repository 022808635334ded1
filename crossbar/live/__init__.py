"""Live conference state and recordings (filled in by the live-control part)."""
