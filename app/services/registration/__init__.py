"""Accept registrations: the path from checked answers to a stored record, in reading order.

- `receipt`: what a submission comes to, a receipt or a refusal that writes nothing;
- `store`: a registration's rows (made before the write lock) and the Core statements that
  store a batch of them with their mails (`app.services.mail_queue`);
- `batching` and `writer`: the group commit, which stores the submissions arriving together
  in one transaction and answers each;
- `resend`: the confirmation sent again, with the same private link.
"""
