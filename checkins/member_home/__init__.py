"""The member's next step in each of their cohorts, for the home page.

`rules.next_step` decides from plain facts (no query, no Django) which one thing a member
should do next in a cohort; `selectors.member_next_steps` gathers those facts for all of a
member's cohorts in a fixed number of queries and turns each decision into a sentence, a
button label and a link. The home page lives in `accounts`, which can't import this app: it
sends `accounts.signals.home_next_steps`, which `checkins.receivers` answers with these.
"""
