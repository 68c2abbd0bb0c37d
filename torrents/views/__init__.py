"""HTML pages of the torrents app: the list (home once logged in), adding, one torrent, bulk
actions. Every torrent is found through `torrents.selectors`; every change goes through a
service."""
