"""What the links part of media adds to the torrent pages (torrents/page_panels.py)."""
