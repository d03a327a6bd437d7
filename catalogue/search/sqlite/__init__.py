"""The embedded search backend: an SQLite FTS5 index beside the catalogue (backend), and the
agency statistics it answers from the catalogue's own tables (stats)."""
