"""A real SMTP server on a loopback port that keeps what it receives."""

from __future__ import annotations

import email
import email.policy

import pytest
from aiosmtpd.controller import Controller

from tests.support.cli import free_port


class Inbox:
    """Every message the server received: raw envelopes and parsed messages."""

    def __init__(self):
        self.envelopes: list = []
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook
        self.envelopes.append(envelope)
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 Message accepted for delivery"

    def body(self, index: int = -1) -> str:
        return self.messages[index].get_body(preferencelist=("plain",)).get_content()


@pytest.fixture
def smtp():
    """The running server's controller (its port) and its inbox."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()
