"""A workshop's own content: statements and principles edited in chat, and participants' proposals.

The process file stays the template. What a facilitator adds, rewords, reorders or removes in
a chat (``/innehall``) and the proposals a facilitator accepts (``/forslag``) are stored per
workshop (:class:`~facilitation.content.store.ContentStore`) and laid over the template
(:func:`~facilitation.content.model.workshop_items`): that list is what the workshop's rounds
draw on. Keys are stable: a reworded item keeps its key (so a comparison with another year by
key still holds, and says it was reworded), an added one gets a new key of its own.
"""
