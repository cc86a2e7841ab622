"""`dockyard convert COMPOSE [--namespace NS]`: the Kubernetes objects of a compose file.

Prints multi-document YAML on stdout (like `kompose convert --stdout`), one warning per unmapped
compose field on stderr, and exits 2 with `error: FILE:LINE: message` for a bad compose file.
ComposeApp deploys exactly these objects (components/compose/to_kubernetes.py).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\Z")
_PROFILE = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]*|\*")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("compose", metavar="COMPOSE", help="path of the compose file")
    parser.add_argument("--namespace", "-n", metavar="NS",
                        help="put every object in this namespace and emit the Namespace object")
    parser.add_argument("--service-type", choices=["ClusterIP", "NodePort", "LoadBalancer"], default="ClusterIP",
                        help="Service type for services with published ports and no kompose.service.type label "
                             "(default: ClusterIP, as kompose)")
    parser.add_argument("--env-file-configmap", action="store_true",
                        help="env_file contents as one ConfigMap per file through envFrom (as kompose); "
                             "default: inline env")
    parser.add_argument("--service-groups", action="store_true",
                        help="services sharing a kompose.service.group label run in one pod "
                             "(as kompose --service-group-mode=label)")
    parser.add_argument("--profile", action="append", metavar="PROFILE", dest="profiles",
                        help="activate a compose profile (repeatable; default: COMPOSE_PROFILES, "
                             "as docker compose --profile)")
    parser.add_argument("--allow-outside", action="append", metavar="DIR", dest="allow_outside", default=[],
                        help="also read files the compose file names from DIR (repeatable); by default only "
                             "files under the compose file's folder are read (configs, secrets, env_file, .env)")


def run(args: argparse.Namespace) -> int:
    import yaml

    from components.compose import load_compose
    from components.compose.to_kubernetes import to_kubernetes
    from components.errors import InputError
    from components.projectfiles import CONVERT_FLAG, ProjectFiles

    if args.namespace is not None and not _DNS_LABEL.match(args.namespace):
        raise InputError("--namespace", f"{args.namespace!r} is not a valid namespace name "
                         "(lower-case letters, digits and '-', at most 63)")
    for name in args.profiles or []:
        if not _PROFILE.fullmatch(name):
            raise InputError("--profile", f"{name!r} is not a profile name (letters, digits, '_', '.', '-')")
    extra = []
    for folder in args.allow_outside:
        if not folder or "\0" in folder or not Path(folder).is_dir():
            raise InputError("--allow-outside", f"{folder!r} is not a folder")
        extra.append(Path(folder).absolute())
    files = ProjectFiles.of(Path(args.compose).parent, extra, opt_in=CONVERT_FLAG + " DIR")
    project = load_compose(args.compose, profiles=args.profiles, files=files)
    result = to_kubernetes(project, namespace=args.namespace, create_namespace=args.namespace is not None,
                           published_service_type=args.service_type,
                           env_file_config_map=args.env_file_configmap, service_groups=args.service_groups)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    sys.stdout.write(yaml.dump_all(result.objects, Dumper=_dumper(yaml), sort_keys=False,
                                   default_flow_style=False, explicit_start=True, allow_unicode=True))
    return 0


def _dumper(yaml):
    """A safe dumper that writes multi-line strings (config files) as literal blocks."""

    class Dumper(yaml.SafeDumper):
        pass

    def text(dumper, value):
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    return Dumper
