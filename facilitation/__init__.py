"""The platform-neutral domain of Dialogbot: processes, workshops, rounds, aggregation, charts.

Nothing in this package imports a chat platform library or SQLAlchemy, so every rule here can
be tested with plain Python objects.
"""
