"""Bundled sample data: six invented providers and their feeds (see generate.py)."""
