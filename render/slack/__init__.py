"""Slack's words: Block Kit views and messages from the neutral views."""
