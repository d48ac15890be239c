"""Signals accounts sends for the apps above it (see the README's architecture section).

`invitation_accepted` is sent inside the acceptance's transaction with `invitation` and `user`,
after the enrolment: `profiles` applies what a members import stored on the invitation, so the
profile and the enrolment are saved together or not at all.
"""

from django.dispatch import Signal

invitation_accepted = Signal()
