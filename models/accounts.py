"""A person's accounts on the chat platforms: who a platform's user is, and where to write.

The adapters (bot/slack, bot/teams) translate a platform's ids into these calls; what an
account is and how one is found or linked is kept here, in one place for both platforms.
"""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from models.people import Account, Person, Platform


async def account_of(platform: Platform, person_id: int) -> Account | None:
    """The person's account on `platform` (the first made, should there be several)."""
    return await Account.filter(platform=platform, person_id=person_id).order_by("id").first()


async def account_in(platform: Platform, user_id: str, workspaces: list[str]) -> Account | None:
    """The account of a platform's user in one of `workspaces` ("" is an account linked
    without one), a named workspace's before the unnamed one, with its person."""
    if not user_id:
        return None
    return (
        await Account.filter(platform=platform, user_id=user_id, workspace__in=workspaces)
        .prefetch_related("person")
        .order_by("-workspace")
        .first()
    )


async def people_with_email(address: str) -> list[Person]:
    """Up to two people whose e-mail is `address` (any case): one is who it is; two means
    an account linked to either could be the wrong one's."""
    return await Person.filter(email__iexact=address).limit(2)


async def link_account(
    person: Person, platform: Platform, workspace: str, user_id: str, reference: dict[str, object]
) -> Account:
    """Give the person an account on `platform` (or find the one a concurrent request made)."""
    try:
        return await Account.create(
            person=person,
            platform=platform,
            workspace=workspace,
            user_id=user_id,
            reference=reference,
        )
    except IntegrityError:
        return await Account.get(platform=platform, workspace=workspace, user_id=user_id)


async def remember_reference(account: Account, reference: dict[str, object]) -> None:
    """Keep a changed reference (a new personal chat, a moved service URL)."""
    if account.reference != reference:
        await Account.filter(id=account.id).update(reference=reference)
        account.reference = reference
