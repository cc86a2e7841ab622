"""Bad stack config: one line naming the key path as `pulumi config set --path` spells it, exit 2.

Each case runs the real program through `dockyard preview` in a scratch project whose stack
file is empty, so only the `--set` overrides of the case are in play.
"""

import os
from pathlib import Path

import pytest

from dockyard import cli

ROOT = Path(__file__).resolve().parent.parent

HOST = "hosts[0]"


def _project(tmp_path: Path, stack_yaml: str = "config: {}\n") -> Path:
    (tmp_path / "stacks").mkdir()
    (tmp_path / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    for name in ("__main__.py", "components", "apps"):
        os.symlink(ROOT / name, tmp_path / name)
    (tmp_path / "stacks" / "Pulumi.t.yaml").write_text(stack_yaml)
    return tmp_path


def _preview(capsys, project: Path, *sets: str) -> tuple[int, str]:
    argv = ["preview", "t", "-C", str(project)]
    for s in sets:
        argv += ["--set", s]
    code = cli.main(argv)
    err = capsys.readouterr().err
    return code, err


DO_HOST = ["hosts[0].name=web", "hosts[0].cloud=digitalocean"]

# (case id, --set overrides, the key path the error must name, a word the message must contain)
CASES = [
    ("os", DO_HOST + ["hosts[0].os=windows"], "dockyard:hosts[0].os", "flatcar"),
    ("cloud", ["hosts[0].name=web", "hosts[0].cloud=do"], "dockyard:hosts[0].cloud", "digitalocean"),
    ("name-not-dns", ["hosts[0].name=Web_1", "hosts[0].cloud=digitalocean"], "dockyard:hosts[0].name", "DNS label"),
    ("name-missing", ["hosts[0].cloud=digitalocean"], "dockyard:hosts[0].name", "required"),
    ("unknown-host-key", DO_HOST + ["hosts[0].sizee=s-1vcpu-1gb"], "dockyard:hosts[0].sizee", "did you mean 'size'"),
    ("duplicate-name", DO_HOST + ["hosts[1].name=web", "hosts[1].cloud=digitalocean"], "dockyard:hosts[1].name", "duplicate"),
    ("size-of-other-cloud", DO_HOST + ["hosts[0].size=t3.micro"], "dockyard:hosts[0].size", "aws"),
    ("aws-size-on-azure", ["hosts[0].name=web", "hosts[0].cloud=azure", "azure-native:location=westeurope",
                           "hosts[0].size=m5.large"], "dockyard:hosts[0].size", "azure"),
    ("gcp-name-letter", ["hosts[0].name=1web", "hosts[0].cloud=gcp", "gcp:project=p", "gcp:region=europe-west1"],
     "dockyard:hosts[0].name", "start with a letter"),
    ("azure-disk-too-small", ["hosts[0].name=web", "hosts[0].cloud=azure", "azure-native:location=westeurope",
                              "hosts[0].diskGb=20"], "dockyard:hosts[0].diskGb", "30 GB"),
    ("ssh-port", DO_HOST + ["hosts[0].sshPort=70000"], "dockyard:hosts[0].sshPort", "65535"),
    ("tls-renewal", DO_HOST + ["hosts[0].tls.validityHours=100", "hosts[0].tls.earlyRenewalHours=200"],
     "dockyard:hosts[0].tls", "earlyRenewalHours"),
    ("aws-region-missing", ["hosts[0].name=web", "hosts[0].cloud=aws"], "aws:region", "pulumi config set aws:region"),
    ("gcp-project-missing", ["hosts[0].name=web", "hosts[0].cloud=gcp", "gcp:region=europe-west1"], "gcp:project", "gcp"),
    ("azure-location-missing", ["containers[0].name=app", "containers[0].platform=appservice",
                                "containers[0].image=nginx"], "azure-native:location", "azure"),
    ("even-managers", ["swarm.managers=2"], "dockyard:swarm.managers", "odd"),
    ("too-many-managers", ["swarm.managers=9"], "dockyard:swarm.managers", "7"),
    ("too-many-workers", ["swarm.workers=101"], "dockyard:swarm.workers", "100"),
    ("unknown-node", ["swarm.workers=2", "swarm.nodes.worker-7.availability=drain"], "dockyard:swarm.nodes.worker-7", "worker-2"),
    ("no-active-manager", ["swarm.nodes.manager-1.availability=drain"], "dockyard:swarm.nodes", "no active manager"),
    ("demote-to-even", ["swarm.managers=3", "swarm.nodes.manager-2.role=worker"], "dockyard:swarm.nodes", "odd"),
    ("bad-availability", ["swarm.nodes.manager-1.availability=sleep"], "dockyard:swarm.nodes.manager-1.availability", "drain"),
    ("swarm-cloud", ["swarm.cloud=vmware"], "dockyard:swarm.cloud", "local"),
    ("lb-on-local", ["swarm.loadBalancer=true"], "dockyard:swarm.loadBalancer", "aws"),
    ("compose-missing", ["swarm.stacks[0].name=web", "swarm.stacks[0].compose=missing.yml"],
     "dockyard:swarm.stacks[0].compose", "not found"),
    ("public-cidr", ["swarm.publicCidrs[0]=everyone"], "dockyard:swarm.publicCidrs[0]", "CIDR"),
    ("top-level-typo", ["swrm.managers=1"], "dockyard:swrm", "did you mean 'swarm'"),
    ("admin-cidr", ["adminCidrs[0]=10.0.0.0/33"], "dockyard:adminCidrs[0]", "CIDR"),
    ("admin-cidrs-empty", ["adminCidrs=[]"], "dockyard:adminCidrs", "at least one"),
    ("ssh-key", ["sshPublicKey=hunter2"], "dockyard:sshPublicKey", "OpenSSH"),
    ("container-no-image", ["containers[0].name=app", "containers[0].platform=fargate", "aws:region=us-east-1"],
     "dockyard:containers[0]", "image or compose"),
    ("container-platform", ["containers[0].name=app", "containers[0].platform=lambda", "containers[0].image=x"],
     "dockyard:containers[0].platform", "fargate"),
    ("container-port", ["containers[0].name=app", "containers[0].platform=fargate", "containers[0].image=x",
                        "containers[0].port=0", "aws:region=us-east-1"], "dockyard:containers[0].port", "1"),
    ("k8s-api-needs-ipv4", ["adminCidrs=[2001:db8::/32]", "kubernetes.cluster=doks"], "dockyard:adminCidrs", "IPv4"),
    ("k8s-cluster", ["kubernetes.cluster=openshift"], "dockyard:kubernetes.cluster", "eks"),
    ("k8s-node-count", ["kubernetes.cluster=existing", "kubernetes.nodeCount=0"], "dockyard:kubernetes.nodeCount", "1"),
    ("k8s-context-not-existing", ["kubernetes.cluster=doks", "kubernetes.context=docker-desktop"],
     "dockyard:kubernetes", "existing"),
    ("k8s-app", ["kubernetes.cluster=existing", "kubernetes.apps[0]=wordpress"], "dockyard:kubernetes.apps[0]", "sock-shop"),
    ("k8s-app-missing-compose", ["kubernetes.cluster=existing", "kubernetes.apps[0].name=web"],
     "dockyard:kubernetes.apps[0].compose", "required"),
]


@pytest.mark.parametrize("sets,path,word", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_config_is_one_line_naming_the_key(tmp_path, capsys, sets, path, word):
    code, err = _preview(capsys, _project(tmp_path), *sets)
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"error: {path}: "), lines[0]
    assert word in lines[0]
    assert "Traceback" not in err


def test_at_least_25_cases():
    assert len(CASES) >= 25


def test_malformed_stack_yaml_names_file_and_line(tmp_path, capsys):
    project = _project(tmp_path, "config:\n  dockyard:adminCidrs:\n    - [unclosed\n")
    code = cli.main(["preview", "t", "-C", str(project)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: stacks/Pulumi.t.yaml:"), err
    line = int(err.split(":")[2])
    assert line in (3, 4)


def test_unknown_stack_lists_the_stacks(tmp_path, capsys):
    code = cli.main(["preview", "nope", "-C", str(_project(tmp_path))])
    err = capsys.readouterr().err
    assert code == 2 and "no such stack 'nope'" in err and "t" in err


def test_bad_set_path(tmp_path, capsys):
    code, err = _preview(capsys, _project(tmp_path), "hosts[x]=1")
    assert code == 2 and err.startswith("error: hosts[x]:")


def test_secure_value_previews_as_secret_placeholder(tmp_path, capsys):
    from dockyard import stackfile

    project = _project(tmp_path, "config:\n  dockyard:sshPublicKey:\n    secure: AAABAxyz\n")
    files = stackfile.load("t", project)
    assert files.secret_keys == ["dockyard:sshPublicKey"]
    assert files.config["dockyard:sshPublicKey"] == "[secret]"


def test_bad_input_declares_nothing(tmp_path, capsys, monkeypatch):
    """A mistake found late (here: EKS region vs aws:region) must stop before any resource."""
    from dockyard import engine

    registered = []
    original = engine.RecordingMonitor.RegisterResource

    def spy(self, request):
        registered.append(request.type)
        return original(self, request)

    monkeypatch.setattr(engine.RecordingMonitor, "RegisterResource", spy)
    code, err = _preview(capsys, _project(tmp_path), *DO_HOST, "aws:region=us-east-1",
                         "kubernetes.cluster=eks", "kubernetes.region=eu-west-1")
    assert code == 2 and err.startswith("error: dockyard:kubernetes.region: "), err
    assert registered == ["pulumi:pulumi:Stack"]
