"""Keeping an upload between the preview and the confirmation.

`upload_stage` stores the previewed bytes under MEDIA_ROOT/`STAGING_DIRECTORY` by a random
name and returns a signed ticket bound to the user, the cohort and the preview's fingerprint;
`upload_load` reads them back from a valid ticket (or raises `UploadExpired`), `upload_ticket`
signs a new ticket for a staged file, and `upload_discard` removes it. Uploads nobody
confirmed are removed once `STAGING_MAX_AGE` has passed.
"""

import contextlib
import datetime
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.utils import timezone

from accounts.models import Cohort, User

STAGING_DIRECTORY = "member-imports"
STAGING_SALT = "peermentor.member-import"
STAGING_MAX_AGE = datetime.timedelta(hours=2)


class UploadExpired(Exception):
    """The previewed upload is gone, expired, or belongs to someone or somewhere else."""


@dataclass(frozen=True)
class StagedUpload:
    token: str
    data: bytes
    fingerprint: str


def _staging_path(token: str) -> Path:
    if not re.fullmatch(r"[A-Za-z0-9_-]{20,64}", token):
        raise UploadExpired
    return Path(settings.MEDIA_ROOT) / STAGING_DIRECTORY / f"{token}.csv"


def upload_ticket(*, token: str, cohort: Cohort, user: User, fingerprint: str) -> str:
    """A signed ticket naming the staged file, valid only for this user and cohort."""
    payload = {"t": token, "c": cohort.pk, "u": user.pk, "f": fingerprint}
    return signing.dumps(payload, salt=STAGING_SALT)


def upload_stage(*, data: bytes, cohort: Cohort, user: User, fingerprint: str) -> str:
    """Keep `data` until it is confirmed (or expires); returns the ticket for the confirm form.

    The file lives under MEDIA_ROOT by a random name that only the signed ticket carries.
    """
    token = secrets.token_urlsafe(24)
    path = _staging_path(token)
    path.parent.mkdir(parents=True, exist_ok=True)
    _discard_expired(path.parent)
    path.write_bytes(data)
    return upload_ticket(token=token, cohort=cohort, user=user, fingerprint=fingerprint)


def upload_load(*, ticket: str, cohort: Cohort, user: User) -> StagedUpload:
    try:
        payload = signing.loads(ticket, salt=STAGING_SALT, max_age=STAGING_MAX_AGE.total_seconds())
    except signing.BadSignature as error:  # includes SignatureExpired
        raise UploadExpired from error
    if payload.get("c") != cohort.pk or payload.get("u") != user.pk:
        raise UploadExpired
    path = _staging_path(str(payload.get("t", "")))
    try:
        data = path.read_bytes()
    except FileNotFoundError as error:
        raise UploadExpired from error
    return StagedUpload(token=payload["t"], data=data, fingerprint=str(payload.get("f", "")))


def upload_discard(*, token: str) -> None:
    with contextlib.suppress(UploadExpired):
        _staging_path(token).unlink(missing_ok=True)


def _discard_expired(directory: Path) -> None:
    """Uploads nobody confirmed: remove them once no ticket can name them any more."""
    cutoff = timezone.now().timestamp() - STAGING_MAX_AGE.total_seconds()
    for path in directory.glob("*.csv"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
        except OSError:
            continue
