"""The matching engine's phrases in the active language.

`engine` imports no Django, so its wording (explanations, unmatched reasons) is English
constants gathered in `engine.Wording`. `current_wording()` gives the same phrases through
gettext; the strings here must stay word for word the engine's (a test compares them in
English), and the contexts stay literals so that makemessages finds them. Explanations and
reasons are stored as text when a run or a pair is made, so they are in the language of
whoever made them (a run: the coordinator who started it).
"""

from django.utils.translation import pgettext

from . import engine


def current_wording() -> engine.Wording:
    return engine.Wording(
        level_labels={
            1: pgettext("matching explanation", "basic"),
            2: pgettext("matching explanation", "developing"),
            3: pgettext("matching explanation", "proficient"),
            4: pgettext("matching explanation", "advanced"),
            5: pgettext("matching explanation", "expert"),
        },
        priority_phrases={
            5: pgettext("matching explanation", "needs most"),
            4: pgettext("matching explanation", "needs a lot"),
        },
        priority_phrase_default=pgettext("matching explanation", "needs"),
        offer_clause=pgettext("matching explanation", "{giver} offers {items}"),
        offer_item=pgettext("matching explanation", "{tag} ({level}), which {receiver} {need}"),
        nothing_offered_clause=pgettext(
            "matching explanation", "{giver} has nothing {receiver} asked for"
        ),
        pair_sentence=pgettext("matching explanation", "{first}; {second}."),
        list_separator=pgettext("matching explanation", ", "),
        list_last_separator=pgettext("matching explanation", ", and "),
        role_phrases={
            "individual": pgettext("matching explanation", "work as individual contributors"),
            "specialist": pgettext("matching explanation", "work as specialists or advisers"),
            "team_lead": pgettext("matching explanation", "lead small teams"),
            "manager": pgettext("matching explanation", "manage managers or a department"),
            "executive": pgettext("matching explanation", "are executives or directors"),
            "founder": pgettext("matching explanation", "run their own business"),
            "student": pgettext("matching explanation", "are students or trainees"),
        },
        role_phrase_default=pgettext("matching explanation", "have the same role"),
        same_stage_phrase=pgettext("matching explanation", "are at the same career stage"),
        neighbouring_stage_phrase=pgettext("matching explanation", "are one career stage apart"),
        peer_sentence=pgettext("matching explanation", "Both {items}."),
        peer_join=pgettext("matching explanation", " and "),
        wished_sentence=pgettext(
            "matching explanation", "They named each other as wished partners."
        ),
        reason_alone=pgettext("unmatched reason", "no other member is available to pair with"),
        reason_no_language_listed=pgettext(
            "unmatched reason", "has no language listed, so shares none with any other member"
        ),
        reason_no_shared_language=pgettext(
            "unmatched reason", "shares no language with any other member"
        ),
        reason_same_department=pgettext(
            "unmatched reason", "every possible partner is in the same department"
        ),
        reason_all_previous=pgettext(
            "unmatched reason", "has already been paired with every possible partner"
        ),
        reason_all_forbidden=pgettext(
            "unmatched reason", "every possible partner is in a forbidden pair with them"
        ),
        reason_stage_too_far=pgettext(
            "unmatched reason", "every possible partner is too many career stages away"
        ),
        reason_rules_combined=pgettext(
            "unmatched reason", "no partner allowed by the rules is left ({details})"
        ),
        reason_rule_count=pgettext("unmatched reason", "{rule}: {count}"),
        rule_labels={
            "language": pgettext("unmatched reason", "no shared language"),
            "department": pgettext("unmatched reason", "same department"),
            "previous": pgettext("unmatched reason", "previous partner"),
            "forbidden": pgettext("unmatched reason", "forbidden pair"),
            "stage": pgettext("unmatched reason", "career stage too far apart"),
        },
        reason_partners_taken=pgettext(
            "unmatched reason",
            "every partner the rules allow is already paired, and no pair can take them as a "
            "third member",
        ),
    )
