"""Aggregate questions agencies ask of the catalogue: grouped counts and distributions,
history over time. The query model is shared; each source (SQL over the catalogue, the
SQLite FTS5 index, the Elasticsearch/OpenSearch index) answers it the same way."""
