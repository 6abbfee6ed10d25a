"""A local Microsoft Teams for Fremdrift's tests: Bot Framework's keys and signed activities,
Entra's token endpoint, Teams' Connector API with its card, size and rate limits, faults,
and people who install the app, write and press buttons. See :class:`TeamsStub`."""

from .cards import CardError, validate_card
from .limits import MESSAGE_LIMIT, Fault
from .models import Posted, User, walk
from .sender import Delivery, Tamper
from .simulator import NoSuchAction
from .stub import AppIdentity, TeamsStub

__all__ = [
    "MESSAGE_LIMIT",
    "AppIdentity",
    "CardError",
    "Delivery",
    "Fault",
    "NoSuchAction",
    "Posted",
    "Tamper",
    "TeamsStub",
    "User",
    "validate_card",
    "walk",
]
