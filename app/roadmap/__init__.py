"""The Alliance 8.7 Roadmap (SPEC 8.1, 8.3): outcomes, commitments, and the public roadmap.

Services (`outcomes`, `commitments`, `spreadsheet`, `public`) are plain functions taking a
Session; the route modules are split by audience: `api` (staff JSON), `staff_pages` (the
back office) and `public_pages` (`/roadmap` and its open data).
"""
