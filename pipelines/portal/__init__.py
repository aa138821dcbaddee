"""The agencies' web portal and API (`jembatan portal`): clerks of an office upload their files into their
agency's inbox folder, read each file's answer (the agency report a sync writes) and download templates;
agency systems do the same through a small JSON API on the same server and accounts.

Modules, one job each:
- `store`: the account store (SQLite in <warehouse>/portal/): offices' accounts with argon2 password hashes,
  server-side sessions, failed logins for throttling, and which office uploaded which content (sha256).
- `secret`: the portal folder (0700) and its secret key (0600, made once).
- `drop`: writing an upload into an inbox folder so that no sync ever reads half of it.
- `answers`: a file's status and report as its office may see them (nothing of another office's files).
- `i18n`: the pages' words in Bahasa Indonesia and English.
- `app`: the Flask application (sessions, CSRF, pages and API).
"""
