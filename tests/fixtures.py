"""Test data built from the shipped example processes."""

from __future__ import annotations

from config.catalogue import load_processes
from config.settings import PACKAGED_PROCESSES

PROCESSES = load_processes(PACKAGED_PROCESSES)
