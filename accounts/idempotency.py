"""One-shot actions submitted twice (a double-click, a reload, a second tab).

A service whose outcome is already there raises `AlreadyDone` instead of doing it again: after
taking the lock it takes anyway, it finds the state the action leads to and changes nothing.
It is a ValidationError, so any caller that handles refusals handles it; views show its message
as information, not as an error, and go where the action itself leads (`report_refusal`).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError


class AlreadyDone(ValidationError):
    """The action was done already (by this person, a moment ago); nothing was changed."""

    def __init__(self, message, code: str = "already_done"):
        super().__init__(message, code=code)


def report_refusal(request, error: ValidationError, template: str = "%(reasons)s") -> None:
    """A service's refusal as a message: information when it was done already, else an error
    (`template` words the error around its reasons)."""
    if isinstance(error, AlreadyDone):
        messages.info(request, " ".join(error.messages))
    else:
        messages.error(request, template % {"reasons": " ".join(error.messages)})
