"""The coordinator's oversight of a cohort: everything a coordinator uses to follow and steer
it once members are in, on top of the check-in core.

- `dashboard/`: the reads behind the cohort and program dashboards (the funnel, the people
  stuck at each step, the pairs table with each pair's health, the charts);
- `lifecycle`: the moves of a cohort between its states (what each state allows is
  `accounts.lifecycle`, which callers import from there);
- `survey`: the closing survey members answer once a cohort closes;
- `exports`: a cohort's CSV exports;
- `views`, `forms`, `urls`: the pages.

A package of `checkins`, not an app of its own: an app earns its place by owning models, and
oversight owns none. It reads the models of every layer and writes only through their
services; the closing survey's two tables (`ClosingSurveyRequest`, `ClosingSurvey`) belong to
`checkins.models`, where member deletion and the check-in core's migrations already cover them.
Should oversight come to define models of its own, it becomes an app.
"""
