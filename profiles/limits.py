"""How long the profiles app's texts may be: the forms', the import's and the database's one
source."""

TAG_NAME_MAX = 80
ABOUT_MAX = 2000
GOAL_MAX = 300
DEPARTMENT_MAX = 120
ENTRY_NOTE_MAX = 200  # the note on an offer or a need
LANGUAGES_INPUT_MAX = 300  # the comma-separated list typed in the profile form
