"""Telegram adapter on python-telegram-bot v22 (asyncio), sharing the event loop with Slack."""
