"""Kubernetes: clusters on EKS, AKS, GKE, DOKS or an existing context, and the apps on them.

Modules: ``cluster`` (KubernetesCluster; each cloud's module is imported only when a stack uses
it), ``objects`` (manifest dicts -> typed pulumi_kubernetes resources), ``sockshop``,
``dashboard`` and ``compose_app``. Import the module you need; this package imports nothing so
that a stack without Kubernetes never loads pulumi_kubernetes.
"""
