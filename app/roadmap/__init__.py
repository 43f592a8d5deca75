"""The Alliance 8.7 Roadmap (SPEC 8.1, 8.3): outcomes, commitments, and the public roadmap.

Services (`outcomes`, `commitments`, `spreadsheet`, `public`) are plain functions taking a
Session; the route modules are split by audience: `api` (staff JSON), `staff_pages` (the
back office) and `public_pages` (`/roadmap` and its open data).

The reports (SPEC 8.2): `periods`, `reports`, `evidence`, their mail (`report_mail`, whose
kinds join `app.services.mail_batch.RENDERERS` here), the lead's page (`report_pages`) and
the staff API (`report_api`).
"""

from app.roadmap import report_mail as report_mail
