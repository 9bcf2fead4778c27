"""Slack adapter on slack-bolt's AsyncApp, sharing the event loop with Telegram."""
