"""Media in the admin: read-only views of what was probed and which links exist (keys hidden)."""
