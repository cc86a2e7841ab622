"""ACME's own components, built on Dockyard's."""

from acme_platform.k3s import K3sHost, K3sHostArgs

__all__ = ["K3sHost", "K3sHostArgs"]
