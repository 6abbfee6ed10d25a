"""Microsoft Teams: the second adapter, on the Microsoft 365 Agents SDK (docs/teams.md).

Translation only, as bot/slack/ is: an activity becomes a neutral event or a command line,
the same runner and command service carry it out, and a neutral view comes back as an
Adaptive Card (render/teams/views.py). `bot.teams.service.TeamsService` is what the running
app starts; `bot.teams.messenger.TeamsMessenger` is what the job workers send through.
"""
