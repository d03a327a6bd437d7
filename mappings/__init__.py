"""Elasticsearch/OpenSearch index bodies, as versioned JSON data (no code).

A package only so the JSON files are installed with the rest; catalogue.search.engine.mapping
reads them through importlib.resources.
"""
