"""The Alliance 8.7 Roadmap (SPEC 8): three packages, each read on its own.

- `plan`: the roadmap as rows (SPEC 8.1). Services `outcomes`, `commitments`,
  `spreadsheet`, `seed`; routes `api` (staff JSON) and `staff_pages` (the back office).
- `progress`: the partners' reports (SPEC 8.2). Services `periods`, `reports`, `evidence`
  and their mail (`report_mail`, whose kinds join `app.services.mail_batch.RENDERERS`
  here); routes `report_pages` (the lead's page), `report_api`, `report_staff_pages`.
- `publication`: the public roadmap (SPEC 8.3). `public` (the document and the roll-up),
  `public_reports`, `public_cache`, `iati`, `document_schema`; route `public_pages`.

`progress` and `publication` build on `plan`; neither imports the other.
"""

from app.roadmap.progress import report_mail as report_mail
