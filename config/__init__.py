"""Settings and example processes; see :mod:`config.settings` and :mod:`config.processes`."""
