"""The partnership as the method describes it: it lasts while it is useful.

- **Ending** (`services.partnership_end`): either partner, or a coordinator, ends an active
  partnership at any time, no fault, on a confirmation page (`views.partnership_end`): a reason
  and an optional note, both private to the coordinators; optionally one upcoming meeting kept
  as the wrap-up. Every other future meeting and every unsent reminder of the pair is
  cancelled, the pair is dissolved (`PartnershipEnding` records who, when, why, and whether it
  ended early, at its review or moved on to the next cohort), the partner and the coordinators
  are emailed (`emails`), and both members are back among those without a partner, so the
  re-run for members without a partner matches each with someone new.
- **Goals achieved** (`services.goal_mark_achieved`): a partner marks their own goal of the
  signed contract in force achieved, with the date, and can undo it. `GoalAchievement` lives
  outside the contract, whose signed content and hash stay as they were.
- **Review** at the contract's review date: the periodic task `queue_partnership_reviews`
  opens a `PartnershipReview` and queues one review email per partner as reminder rows (sent
  exactly once by `checkins.reminders`). On the review page (`views.partnership_review`) each
  partner chooses: renew (an amendment of the contract, the old goals as the starting point
  and new dates), continue in the program's next cohort (both enrolled there in a locked,
  active pair, their contract carried over as its first draft) or end. Renewing or continuing
  happens when both chose it; ending as soon as one does.
- **Counts** for the dashboard (`selectors.cohort_partnership_counts`): ended early with the
  reasons grouped, ended at the review, renewals, continuations and goals achieved.
"""
