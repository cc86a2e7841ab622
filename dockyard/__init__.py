"""Dockyard's command line: offline preview, diff, and helpers for the hosts a stack created."""
