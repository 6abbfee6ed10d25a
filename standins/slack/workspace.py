"""The workspace the stand-in pretends to be: who exists, where they talk, what was said.

Web API handlers mutate it; tests read it to see what a person would see in Slack.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .ids import IdFactory
from .models import (
    JSON,
    Channel,
    ChannelKind,
    Ephemeral,
    Message,
    ResponseUrlPost,
    UploadedFile,
    User,
    View,
)


@dataclass(frozen=True)
class AppIdentity:
    """The installed app as Slack knows it: team, app, bot user and credentials."""

    team_id: str = "T0FREMDRIF"
    team_domain: str = "fremdrift"
    team_name: str = "Fremdrift Test"
    app_id: str = "A0FREMDRIF"
    bot_id: str = "B0FREMDRIF"
    bot_user_id: str = "U0FREMDBOT"
    bot_name: str = "fremdrift"
    bot_token: str = "xoxb-1-fremdrift-stub"
    app_token: str = "xapp-1-A0FREMDRIF-1-stub"
    signing_secret: str = "fremdrift-stub-signing-secret"
    verification_token: str = "stubverificationtoken"


@dataclass
class Trigger:
    trigger_id: str
    user: str
    issued_at: float
    used: bool = False


@dataclass
class Workspace:
    identity: AppIdentity
    ids: IdFactory = field(default_factory=IdFactory)
    users: dict[str, User] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)
    ephemerals: list[Ephemeral] = field(default_factory=list)
    views: dict[str, View] = field(default_factory=dict)
    modal_stacks: dict[str, list[str]] = field(default_factory=dict)
    homes: dict[str, str] = field(default_factory=dict)
    files: dict[str, UploadedFile] = field(default_factory=dict)
    upload_tickets: dict[str, str] = field(default_factory=dict)
    socket_tickets: set[str] = field(default_factory=set)
    triggers: dict[str, Trigger] = field(default_factory=dict)
    response_urls: dict[str, ResponseUrlTarget] = field(default_factory=dict)
    response_url_posts: list[ResponseUrlPost] = field(default_factory=list)

    # -- people and conversations -------------------------------------------------------
    def add_user(
        self,
        name: str,
        *,
        user_id: str | None = None,
        real_name: str | None = None,
        email: str | None = None,
        locale: str = "en-US",
        tz: str = "Europe/Copenhagen",
        tz_label: str = "Central European Time",
        tz_offset: int = 3600,
        is_admin: bool = False,
    ) -> User:
        user = User(
            id=user_id or self.ids.next("U"),
            name=name,
            real_name=real_name or name.title(),
            email=email or f"{name}@{self.identity.team_domain}.example",
            locale=locale,
            tz=tz,
            tz_label=tz_label,
            tz_offset=tz_offset,
            is_admin=is_admin,
        )
        self.users[user.id] = user
        return user

    def add_channel(
        self,
        name: str,
        *,
        channel_id: str | None = None,
        private: bool = False,
        members: Iterable[str] = (),
        bot_is_member: bool = True,
    ) -> Channel:
        kind: ChannelKind = "private" if private else "public"
        channel = Channel(
            id=channel_id or self.ids.next("C"), name=name, kind=kind, members=set(members)
        )
        if bot_is_member:
            channel.members.add(self.identity.bot_user_id)
        self.channels[channel.id] = channel
        return channel

    def user(self, user_id: str) -> User:
        return self.users[user_id]

    def user_by_name(self, name: str) -> User:
        for user in self.users.values():
            if user.name == name:
                return user
        raise KeyError(name)

    def dm_with(self, user_id: str, *, create: bool = True) -> Channel | None:
        """The app's DM with a person (its App Home Messages tab), opened on first use."""
        for channel in self.channels.values():
            if channel.kind == "im" and channel.im_user == user_id:
                return channel
        if not create:
            return None
        channel = Channel(
            id=self.ids.next("D"),
            name=user_id,
            kind="im",
            members={user_id, self.identity.bot_user_id},
            im_user=user_id,
        )
        self.channels[channel.id] = channel
        return channel

    def bot_can_read(self, channel: Channel) -> bool:
        return self.identity.bot_user_id in channel.members

    # -- what tests look at -------------------------------------------------------------
    def messages(self, channel_id: str) -> list[Message]:
        return self.channels[channel_id].visible()

    def ephemerals_for(self, user_id: str, channel_id: str | None = None) -> list[Ephemeral]:
        return [
            e
            for e in self.ephemerals
            if e.user == user_id and (channel_id is None or e.channel == channel_id)
        ]

    def home_of(self, user_id: str) -> View | None:
        view_id = self.homes.get(user_id)
        return self.views[view_id] if view_id else None

    def open_modals(self, user_id: str | None = None) -> list[View]:
        """Every modal still on screen, bottom of each person's stack first."""
        out: list[View] = []
        for owner, stack in self.modal_stacks.items():
            if user_id is None or owner == user_id:
                out.extend(self.views[v] for v in stack)
        return out

    def top_modal(self, user_id: str) -> View | None:
        stack = self.modal_stacks.get(user_id) or []
        return self.views[stack[-1]] if stack else None

    def close_modal(self, view_id: str, *, clear: bool = False) -> None:
        view = self.views[view_id]
        stack = self.modal_stacks.get(view.user, [])
        doomed = list(stack) if clear else [view_id]
        for vid in doomed:
            if vid in stack:
                stack.remove(vid)
            self.views[vid].open = False

    def find_message(self, channel_id: str, ts: str) -> Message | None:
        channel = self.channels.get(channel_id)
        return channel.find(ts) if channel else None


@dataclass
class ResponseUrlTarget:
    """Where a response_url writes: the person, the conversation, the message it came from."""

    user: str
    channel: str
    message_ts: str | None
    issued_at: float
    uses: int = 0
    extra: JSON = field(default_factory=dict)
