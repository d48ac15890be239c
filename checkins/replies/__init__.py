"""Replies to a check-in: one thread per check-in, between the two partners of the pair.

The author of the check-in and their partner read and write it; nobody else does, the
organization's coordinators included (a 404, as for anyone outside the pair): no coordinator
page, export or dashboard loads a reply. A reply is bounded (`limits.REPLY_BODY_MAX`
characters), a thread holds at most `limits.REPLIES_PER_CHECKIN_MAX` replies and one person
writes at most `limits.REPLIES_PER_HOUR_MAX` replies an hour across their threads. The same
text sent twice in a row (a double-click, a reload) is stored once. Each reply emails the
other partner through the reminders' exactly-once sending (`reminders.partners`), as their
notification preferences allow.

`services` writes, `selectors` reads the thread a page at a time, `views`, `forms` and `urls`
are the page.
"""
