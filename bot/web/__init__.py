"""The web as a chat platform: the projector screen and voting from a browser (issue 18).

:mod:`bot.web.port` keeps, per web chat, what the bot sent there and tells connected pages of
every change; :mod:`bot.web.server` serves the pages on the process's HTTP server and turns a
browser's form posts into the same events a Telegram press or command becomes.
"""
