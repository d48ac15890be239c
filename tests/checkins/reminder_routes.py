"""The reminder routes, for the cross-organization isolation table.

None of them is under an organization (no `<slug:org_slug>`), so ROUTES, in the format of
`tests/isolation.py`, is empty (merging it into `tests/test_isolation.py` changes nothing):
notification preferences belong to a person, in every organization they are in, and
unsubscribe links come from emails.

- `notification_preferences` (`notifications/`): login required; the logged-in user's own
  preferences only, no object id in the URL, so there is nothing of anyone else's to reach.
- `reminder_unsubscribe` (`notifications/unsubscribe/<token>/`): no login; the signed token
  names the user and the kind of email, so a changed or foreign token gives 400 and changes
  nothing. CSRF-exempt so mail clients can POST one-click unsubscribes (RFC 8058).

`tests/checkins/test_reminder_routes.py` checks this list against the URL resolver.
"""

ROUTES = {}  # routes under an organization: none

PERSONAL_ROUTES = {
    "notification_preferences": "login required; the user's own preferences",
    "reminder_unsubscribe": "no login; a signed token for one user and one kind of email",
}
