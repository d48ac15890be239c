"""Signals accounts sends for the apps above it (see the README's architecture section).

`invitation_accepted` is sent inside the acceptance's transaction with `invitation` and `user`,
after the enrolment: `profiles` applies what a members import stored on the invitation, so the
profile and the enrolment are saved together or not at all.

`home_next_steps` is sent by the home page with `user` and `enrolments` (a list, cohorts and
organizations loaded); a receiver returns {cohort id: step} with the step's `text`, `url` and
`label`, the one thing the member does next in that cohort (`checkins.receivers`). It only
reads.
"""

from django.dispatch import Signal

invitation_accepted = Signal()
home_next_steps = Signal()
