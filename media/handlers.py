"""What media does when the torrents app says something happened (events/registry.py)."""
