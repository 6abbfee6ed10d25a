"""A local Slack for Fremdrift's tests: Web API, Block Kit checks, rate limits, faults,
signed HTTP requests and Socket Mode, and people clicking. See :class:`SlackStub`."""

from .clock import ManualClock
from .faults import Drop, HttpStatus, RateLimited, SlackError, Slow
from .models import Channel, Ephemeral, Message, ResponseUrlPost, UploadedFile, User, View
from .recording import ApiCall
from .sender import Delivery
from .signing import Tamper, sign
from .simulator import SubmissionBlocked
from .socketmode import Ack, Envelope
from .state import DEFAULT_APP_SCOPES, DEFAULT_BOT_SCOPES
from .stub import SlackStub
from .workspace import AppIdentity

__all__ = [
    "DEFAULT_APP_SCOPES",
    "DEFAULT_BOT_SCOPES",
    "Ack",
    "ApiCall",
    "AppIdentity",
    "Channel",
    "Delivery",
    "Drop",
    "Envelope",
    "Ephemeral",
    "HttpStatus",
    "ManualClock",
    "Message",
    "RateLimited",
    "ResponseUrlPost",
    "SlackError",
    "SlackStub",
    "Slow",
    "SubmissionBlocked",
    "Tamper",
    "UploadedFile",
    "User",
    "View",
    "sign",
]
