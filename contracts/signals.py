"""Signals contracts sends for the apps above it (see the README's architecture section).

`contract_signed` is sent inside the signing transaction with `contract`, once its last
signature has made it signed (and the version it amends superseded): `checkins` schedules its
meetings, so they exist when the signing request returns. A receiver whose work may fail
catches its error inside a savepoint of its own, or the signature would roll back with it;
work it leaves undone is for a periodic task of its own app to finish.
"""

from django.dispatch import Signal

contract_signed = Signal()
