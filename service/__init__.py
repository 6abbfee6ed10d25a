"""Use cases in transactions, with no platform SDK.

The checklist runner, rounds, jobs, commands, people, publication.
"""
