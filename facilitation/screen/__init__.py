"""The projector screen: ``/skarm`` makes a web page of the workshop's own a room of it.

The screen is a read-only room of the workshop on the ``web`` platform: it receives the open
round's live tally, the posts and the closed round's results and charts exactly as a Telegram
group does (the same disclosure rules, no results before close). What a screen page is and how
its link is signed belongs to the web adapter; the domain sees it through :class:`ScreenLinks`.
"""
