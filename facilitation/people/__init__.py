"""Issue 20's people side: who am I (``/vem``), co-facilitators, rounds that close themselves.

* :mod:`facilitation.people.deadlines`: ``slut=15:30`` / ``slut=2d`` parsed in Europe/Stockholm,
  the :class:`~facilitation.people.deadlines.DeadlineStore` port and the closer that closes a
  due round exactly once across bot processes, through the same close path as ``/stang``.
* :mod:`facilitation.people.coleaders`: signed, expiring, single-use invitations to co-lead one
  workshop or one process, and the :class:`~facilitation.people.coleaders.CoLeaderStore` port.
* :mod:`facilitation.people.chat`: the chat commands (``/vem``, ``/processledare``,
  ``/medledare``) and the wiring into the conversation.
"""
