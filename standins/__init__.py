"""Local stand-ins for Slack and Microsoft Teams that speak their wire protocols.

The tests and the demo share them; they import nothing of Fremdrift.
"""
