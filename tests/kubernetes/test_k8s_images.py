"""Kubernetes workloads run images by digest (issue 11, "No silent drift"), through the one helper
swarm services use (components/images.py), at the one place manifests become resources
(components/kubernetes/objects.declare): ComposeApp and SockShop alike."""

from __future__ import annotations

from dockyard.mocks.swarm import registry_digest

TOKEN = "docker:index/getRegistryImage:getRegistryImage"

DEPLOYMENT = {
    "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "app"},
    "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {
        "metadata": {"labels": {"app": "web"}},
        "spec": {"initContainers": [{"name": "init", "image": "busybox"}],
                 "containers": [{"name": "web", "image": "nginx:1.27"},
                                {"name": "pinned", "image": "redis:7@sha256:" + "ab" * 32}]}}},
}
CRONJOB = {
    "apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "tick", "namespace": "app"},
    "spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": {"spec": {
        "restartPolicy": "Never", "containers": [{"name": "tick", "image": "example/tick:3"}]}}}}},
}


def _images(mock_engine, served=None):
    import copy

    import pulumi

    from components.kubernetes.objects import declare

    manifests = [copy.deepcopy(DEPLOYMENT), copy.deepcopy(CRONJOB)]
    invokes = {}
    if served is not None:
        invokes[TOKEN] = lambda ctx, args: {"id": served[args["name"]], "name": args["name"],
                                            "sha256Digest": served[args["name"]]}
    result = mock_engine.run(lambda: declare(manifests, "t", pulumi.ResourceOptions()), invokes=invokes)
    dep = result.get("kubernetes:apps/v1:Deployment").inputs["spec"]["template"]["spec"]
    cron = result.get("kubernetes:batch/v1:CronJob").inputs["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert manifests == [DEPLOYMENT, CRONJOB]  # the plan is not modified
    return ([c["image"] for c in dep["initContainers"] + dep["containers"]]
            + [c["image"] for c in cron["containers"]])


def test_workload_images_by_tag_run_by_the_registrys_digest(mock_engine):
    assert _images(mock_engine) == [
        "busybox:latest@" + registry_digest("busybox:latest"),
        "nginx:1.27@" + registry_digest("nginx:1.27"),
        "redis:7@sha256:" + "ab" * 32,  # pinned by digest already: as written
        "example/tick:3@" + registry_digest("example/tick:3"),
    ]


def test_a_moved_tag_is_a_changed_image(mock_engine):
    served = {"busybox:latest": "sha256:" + "1" * 64, "nginx:1.27": "sha256:" + "2" * 64,
              "example/tick:3": "sha256:" + "3" * 64}
    before = _images(mock_engine, served)
    assert _images(mock_engine, served) == before
    after = _images(mock_engine, {**served, "nginx:1.27": "sha256:" + "4" * 64})
    assert after == [before[0], "nginx:1.27@sha256:" + "4" * 64, *before[2:]]
