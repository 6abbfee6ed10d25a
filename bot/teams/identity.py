"""Who is writing, and where the bot can write back to them.

A Teams user is known by their Entra object id (`from.aadObjectId`) in their tenant: the
Account row (platform teams, workspace = tenant id, user_id = object id). The first time
someone writes (or installs the app), the bot asks Teams for the member's e-mail address
and user principal name, and links them to the programme person with that e-mail — so a
programme file needs nothing Teams-specific, only people's work e-mail addresses.

`Account.reference` keeps, as plain data, what a proactive message needs: the user's Teams
id ("29:…"), the service URL, and the personal chat (conversation id and tenant), updated
whenever the user writes from a personal chat.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.teams.outbound import Where
from models.accounts import (
    account_in,
    account_of,
    link_account,
    people_with_email,
)
from models.people import Account, Person, Platform

log = logging.getLogger(__name__)


def teams_reference(
    *, user_id: str, service_url: str, personal: Where | None, earlier: dict[str, object] | None
) -> dict[str, object]:
    reference: dict[str, object] = dict(earlier or {})
    reference["user_id"] = user_id
    reference["service_url"] = service_url
    if personal is not None:
        reference["personal"] = personal.as_json()
    return reference


async def account_for(object_id: str, tenant_id: str) -> Account | None:
    """The Teams account of an Entra user in a tenant (or linked without a tenant)."""
    return await account_in(Platform.TEAMS, object_id, [tenant_id, ""])


async def person_by_email(member: dict[str, Any], *, trust_mail: bool) -> Person | None:
    """The one person whose e-mail is the member's user principal name or e-mail.

    A user principal name ends in a domain its tenant has verified, which no other tenant
    can; a `mail` attribute is whatever the user's admin typed. So `mail` is trusted only
    for a single-tenant bot (TEAMS_TENANT_ID), whose other tenants' activities are refused.
    """
    fields = ("userPrincipalName", "email") if trust_mail else ("userPrincipalName",)
    for field in fields:
        address = str(member.get(field) or "").strip()
        found = await people_with_email(address) if address else []
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            log.warning("two people share an e-mail; not linked", extra={"field": field})
            return None
    return None


async def link(
    person: Person, object_id: str, tenant_id: str, reference: dict[str, object]
) -> Account:
    """Give the person a Teams account (or find the one a concurrent request made)."""
    return await link_account(person, Platform.TEAMS, tenant_id, object_id, reference)


async def teams_account_of(person_id: int) -> Account | None:
    return await account_of(Platform.TEAMS, person_id)
