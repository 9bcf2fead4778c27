"""Platform adapters (Telegram, Slack, local terminal), wiring and the command line."""
