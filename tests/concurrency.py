"""Fire the same request from several threads at once, as a double-click or an impatient
reload does, and collect what each one answered.

Each thread has its own test client and its own database connection, so the test must commit
for real (`pytest.mark.django_db(transaction=True)`), and on SQLite the test database must be a
file (see `peermentor/settings_test.py`). A view that fails answers 500 here instead of raising,
and `Answer.error` says why.
"""

import threading
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client

ATTEMPTS = 3


@dataclass
class Answer:
    status: int
    location: str = ""
    messages: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # the messages shown as information
    error: str = ""

    def says(self, text: str) -> bool:
        return any(text in message for message in self.messages)

    def notes_that(self, text: str) -> bool:
        """Says `text` as information (not as an error)."""
        return any(text in message for message in self.notes)


def logged_in_clients(user, count: int = ATTEMPTS) -> list[Client]:
    clients = []
    for _index in range(count):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients.append(client)
    return clients


def post_at_once(clients: list[Client], path: str, data: dict | None = None) -> list[Answer]:
    """POST `data` to `path` from every client at the same moment; one Answer per client."""
    start = threading.Barrier(len(clients))
    answers: list[Answer | None] = [None] * len(clients)

    def send(index: int, client: Client) -> None:
        try:
            start.wait(timeout=30)
            response = client.post(path, data or {})
            exc_info = getattr(response, "exc_info", None)
            shown = list(get_messages(response.wsgi_request))
            answers[index] = Answer(
                status=response.status_code,
                location=response.get("Location", ""),
                messages=[str(message) for message in shown],
                notes=[str(message) for message in shown if message.level == messages.INFO],
                error=repr(exc_info[1]) if exc_info else "",
            )
        except Exception as error:  # noqa: BLE001 - reported by the test
            answers[index] = Answer(status=0, error=repr(error))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=send, args=(index, client)) for index, client in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return [answer or Answer(status=0, error="no answer") for answer in answers]


def failures(answers: list[Answer]) -> list[Answer]:
    """The answers that are server errors (or no answer at all)."""
    return [answer for answer in answers if answer.status >= 500 or answer.status == 0]
