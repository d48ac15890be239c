"""Writes for contracts: starting one, editing a draft, locking it for signature, signing,
withdrawing a signature, and amending a signed version.

Every function here is keyword-only, runs in a transaction that first locks the contract's
row (so that two partners acting at the same moment are serialized: the last signature is
seen as the last exactly once), validates before it writes, raises ValidationError with a
message a person can act on, and records who did it in the audit log.

The lifecycle of a version: draft (partners edit) -> ready (content locked and hashed) ->
signed (every partner signed; immutable) -> superseded (a signed amendment replaced it).
While ready and unsigned it may go back to draft. Password re-authentication for signing is
not part of `contract_sign`: the sign view calls `contract_sign_reauthenticate` first, so that
the demo seed can sign through the same service.

The package
-----------
The services live in submodules by role: `drafts` (starting a contract, and editing a draft:
its terms, the partners' sections, and goals with their strategies and indicators),
`signatures` (marking a draft ready and reopening it, re-authenticating with the password
before signing, signing, and withdrawing a signature), `amendments` (a new draft version of a
signed one), `emails` (the messages sent once a change is committed) and `common` (what they
share: the messages for a version that can't change, locking the contract's row, the guards
and the audit entry). Callers import from `contracts.services` only: every public name is
re-exported here, with `ValidationError`.
"""

from django.core.exceptions import ValidationError

from .amendments import contract_amend, contract_carry_over
from .common import LOCKED_MESSAGE, SIGNED_MESSAGE, SUPERSEDED_MESSAGE
from .drafts import (
    MAX_ROWS_PER_GOAL,
    IndicatorInput,
    StrategyInput,
    contract_section_update,
    contract_start,
    contract_terms_update,
    goal_delete,
    goal_save,
)
from .emails import contract_email_send
from .signatures import (
    SIGN_LOCKOUT_SECONDS,
    SIGN_PASSWORD_ATTEMPTS,
    SIGN_PASSWORD_WINDOW_SECONDS,
    USER_AGENT_LENGTH,
    contract_mark_ready,
    contract_reopen,
    contract_sign,
    contract_sign_reauthenticate,
    contract_withdraw_signature,
)

__all__ = [
    "ValidationError",
    # Messages for a version that can't change
    "SIGNED_MESSAGE",
    "SUPERSEDED_MESSAGE",
    "LOCKED_MESSAGE",
    # Starting and editing a draft
    "MAX_ROWS_PER_GOAL",
    "StrategyInput",
    "IndicatorInput",
    "contract_start",
    "contract_terms_update",
    "contract_section_update",
    "goal_save",
    "goal_delete",
    # Locking for signature and signing
    "SIGN_PASSWORD_ATTEMPTS",
    "SIGN_PASSWORD_WINDOW_SECONDS",
    "SIGN_LOCKOUT_SECONDS",
    "USER_AGENT_LENGTH",
    "contract_mark_ready",
    "contract_reopen",
    "contract_sign_reauthenticate",
    "contract_sign",
    "contract_withdraw_signature",
    # Amending
    "contract_amend",
    "contract_carry_over",
    # Emails
    "contract_email_send",
]
