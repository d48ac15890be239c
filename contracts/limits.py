"""How long the contracts app's texts may be: the forms' and the database's one source.

Generous for what a contract says, and bounded so a contract always renders in good time.
"""

AGENDA_MAX = 4000
TERM_TEXT_MAX = 2000  # how we measure the help, boundaries, confidentiality
SECTION_TEXT_MAX = 4000  # each part of a partner's section
GOAL_STATEMENT_MAX = 1000
STRATEGY_MAX = 1000
INDICATOR_MAX = 300
UNIT_MAX = 40
TYPED_NAME_MAX = 200
# A section's goals: a one-year goal and the shorter steps toward it.
GOALS_PER_SECTION_MAX = 10
USER_AGENT_MAX = 400
# Written by the application, not typed: cut to fit where it is stored.
EXPORT_ERROR_MAX = 2000
