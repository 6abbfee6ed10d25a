"""Everything one stand-in instance shares between its server, senders and simulator."""

from __future__ import annotations

from dataclasses import dataclass, field

from .clock import Clock
from .faults import FaultInjector
from .models import Message
from .ratelimit import RateLimiter
from .recording import Recorder
from .workspace import AppIdentity, ResponseUrlTarget, Trigger, Workspace

TRIGGER_TTL = 3.0
RESPONSE_URL_TTL = 30 * 60.0
RESPONSE_URL_USES = 5

DEFAULT_BOT_SCOPES = (
    "app_mentions:read",
    "channels:history",
    "channels:read",
    "chat:write",
    "commands",
    "files:write",
    "groups:history",
    "im:history",
    "im:read",
    "im:write",
    "users:read",
    "users:read.email",
)
DEFAULT_APP_SCOPES = ("connections:write",)


@dataclass
class SlackState:
    identity: AppIdentity
    workspace: Workspace
    clock: Clock
    wall_clock: Clock
    limiter: RateLimiter
    bot_scopes: set[str]
    app_scopes: set[str]
    faults: FaultInjector = field(default_factory=FaultInjector)
    recorder: Recorder = field(default_factory=Recorder)
    base_url: str = ""
    team_number: int = 1

    def changed(self) -> None:
        self.recorder.changes.notify()

    def issue_trigger(self, user: str) -> str:
        trigger_id = self.workspace.ids.trigger_id(self.team_number)
        self.workspace.triggers[trigger_id] = Trigger(trigger_id, user, self.clock())
        return trigger_id

    def issue_response_url(self, user: str, channel: str, message_ts: str | None) -> str:
        token = self.workspace.ids.secret(16)
        self.workspace.response_urls[token] = ResponseUrlTarget(
            user=user, channel=channel, message_ts=message_ts, issued_at=self.clock()
        )
        return f"{self.base_url}response/{token}"

    def post_as_bot(
        self,
        channel_id: str,
        *,
        text: str,
        blocks: list[dict[str, object]] | None = None,
        thread_ts: str | None = None,
        metadata: dict[str, object] | None = None,
        files: list[str] | None = None,
        reply_broadcast: bool = False,
    ) -> Message:
        """Append a message from the app's bot user, as a thread reply when ``thread_ts``."""
        ident = self.identity
        message = Message(
            channel=channel_id,
            ts=self.workspace.ids.ts(self.wall_clock()),
            text=text,
            user=ident.bot_user_id,
            blocks=blocks,
            bot_id=ident.bot_id,
            app_id=ident.app_id,
            thread_ts=thread_ts,
            metadata=metadata,
            files=list(files or []),
            reply_broadcast=reply_broadcast,
        )
        self.append(message)
        return message

    def append(self, message: Message) -> None:
        channel = self.workspace.channels[message.channel]
        parent = channel.find(message.thread_ts) if message.thread_ts else None
        if parent is not None and parent.is_reply and parent.thread_ts:
            parent = channel.find(parent.thread_ts)
            message.thread_ts = parent.ts if parent else message.thread_ts
        if parent is not None and parent.ts != message.ts:
            parent.replies.append(message)
            if parent.thread_ts is None:
                parent.thread_ts = parent.ts
            if message.reply_broadcast:
                channel.messages.append(message)
        else:
            channel.messages.append(message)
        self.changed()
