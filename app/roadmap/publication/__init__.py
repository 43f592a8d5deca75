"""The roadmap made public.

The page, its open data (JSON, its schema, CSV, IATI) and the cache of what is derived.
"""
