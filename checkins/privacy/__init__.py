"""A member's own data: the privacy page, downloading everything the app holds about them, and
deleting their account.

`services` exports and deletes, `selectors` reads what belongs to the member (and what
deleting would keep), `views`, `forms` and `urls` are the pages. It sits in the top app because
a person's data spans every layer.
"""
