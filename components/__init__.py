"""Dockyard's component library: one concern per module, per-cloud code imported lazily."""
