"""Facts of a list of Kubernetes objects, for comparing our conversion with kompose's expected outputs.

A fact is a small tuple that survives differences of style (label keys, field order, `sh -c`
wrappers, quantity spellings): an object of a kind and name, a workload's replicas, image,
container ports, probes, resources, mounts and volumes, a Service's type and ports, a claim's size
and class, a ConfigMap's keys, an Ingress's rules. Environment variables count by name, whether
inline or through a ConfigMap. Used by test_kompose_fixtures.py on both sides.
"""

from __future__ import annotations

import re

WORKLOADS = ("Deployment", "DaemonSet", "StatefulSet", "ReplicationController", "Pod")
_UNITS = {"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, "Ti": 1 << 40, "k": 10**3, "M": 10**6, "G": 10**9}


def quantity(value) -> float:
    """ "500m" -> 0.5, "1Gi" -> 1073741824, 2 -> 2.0."""
    text = str(value)
    if text.endswith("m"):
        return float(text[:-1]) / 1000
    m = re.fullmatch(r"([0-9.]+)([A-Za-z]*)", text)
    if not m:
        return float("nan")
    return float(m.group(1)) * _UNITS.get(m.group(2), 1)


def _command(cmd: list) -> str:
    cmd = [str(c) for c in cmd]
    if len(cmd) >= 3 and cmd[0] in ("/bin/sh", "sh") and cmd[1] == "-c":
        return " ".join(cmd[2:])
    return " ".join(cmd)


def _handler(probe: dict) -> tuple:
    if "exec" in probe:
        return ("exec", _command(probe["exec"]["command"]))
    if "httpGet" in probe:
        return ("httpGet", probe["httpGet"].get("path", "/"), probe["httpGet"]["port"])
    if "tcpSocket" in probe:
        return ("tcpSocket", probe["tcpSocket"]["port"])
    return ("?",)


def facts(objects: list[dict]) -> set[tuple]:
    out: set[tuple] = set()
    config_maps = {o["metadata"]["name"]: o for o in objects if o.get("kind") == "ConfigMap"}
    for o in objects:
        kind, name = o["kind"], o["metadata"]["name"]
        out.add(("object", kind, name))
        if kind in WORKLOADS:
            spec = o.get("spec", {})
            pod = spec if kind == "Pod" else spec.get("template", {}).get("spec", {})
            if kind not in ("DaemonSet", "Pod"):
                out.add((name, "replicas", spec.get("replicas", 1)))
            for c in pod.get("containers") or []:
                out.add((name, "image", c.get("image")))
                if c.get("imagePullPolicy"):
                    out.add((name, "imagePullPolicy", c["imagePullPolicy"]))
                for p in c.get("ports") or []:
                    out.add((name, "containerPort", p["containerPort"], p.get("protocol", "TCP"), p.get("hostPort")))
                for which in ("livenessProbe", "readinessProbe"):
                    probe = c.get(which)
                    if probe:
                        out.add((name, which, _handler(probe)))
                        for key in ("periodSeconds", "timeoutSeconds", "failureThreshold", "initialDelaySeconds"):
                            if key in probe:
                                out.add((name, which, key, probe[key]))
                for part in ("limits", "requests"):
                    for key, value in (c.get("resources") or {}).get(part, {}).items():
                        out.add((name, "resources", part, key, quantity(value)))
                for m in c.get("volumeMounts") or []:
                    out.add((name, "mount", m["mountPath"], bool(m.get("readOnly"))))
                for e in c.get("env") or []:
                    out.add((name, "env", e["name"]))
                for ref in c.get("envFrom") or []:
                    cm = config_maps.get((ref.get("configMapRef") or {}).get("name"), {})
                    for key in cm.get("data", {}):
                        out.add((name, "env", key))
                if (c.get("securityContext") or {}).get("readOnlyRootFilesystem"):
                    out.add((name, "readOnlyRootFilesystem"))
            for v in pod.get("volumes") or []:
                if "persistentVolumeClaim" in v:
                    out.add((name, "volume", "persistentVolumeClaim", v["persistentVolumeClaim"]["claimName"]))
                elif "configMap" in v:
                    out.add((name, "volume", "configMap", v["configMap"]["name"]))
                elif "hostPath" in v:
                    out.add((name, "volume", "hostPath", v["hostPath"]["path"]))
                elif "emptyDir" in v:
                    out.add((name, "volume", "emptyDir"))
                elif "secret" in v:
                    out.add((name, "volume", "secret", v["secret"]["secretName"]))
            for s in pod.get("imagePullSecrets") or []:
                out.add((name, "imagePullSecret", s["name"]))
            for t in spec.get("volumeClaimTemplates", []):
                out.add((name, "volumeClaimTemplate", t["metadata"]["name"]))
        elif kind == "Service":
            spec = o.get("spec", {})
            out.add((name, "serviceType", spec.get("type", "ClusterIP")))
            for p in spec.get("ports") or []:
                out.add((name, "servicePort", p["port"], p.get("targetPort", p["port"]), p.get("protocol", "TCP")))
                if "nodePort" in p:
                    out.add((name, "nodePort", p["nodePort"]))
        elif kind == "PersistentVolumeClaim":
            spec = o.get("spec", {})
            out.add((name, "storage", quantity(spec["resources"]["requests"]["storage"])))
            if spec.get("storageClassName"):
                out.add((name, "storageClassName", spec["storageClassName"]))
        elif kind == "ConfigMap":
            for key in list(o.get("data", {})) + list(o.get("binaryData", {})):
                out.add((name, "key", key))
        elif kind == "Ingress":
            spec = o.get("spec", {})
            if spec.get("ingressClassName"):
                out.add((name, "ingressClassName", spec["ingressClassName"]))
            for rule in spec.get("rules", []):
                for path in rule.get("http", {}).get("paths", []):
                    backend = path["backend"]["service"]
                    out.add((name, "rule", rule.get("host"), path.get("path", "/"), backend["name"],
                             backend["port"].get("number")))
            for tls in spec.get("tls", []):
                out.add((name, "tls", tls.get("secretName"), tuple(sorted(tls.get("hosts", [])))))
    return out


def load_objects(text: str) -> list[dict]:
    """Objects of a multi-document YAML or a JSON `List` (kompose writes both)."""
    import json

    import yaml

    text = text.strip()
    docs = [json.loads(text)] if text.startswith("{") else [d for d in yaml.safe_load_all(text) if d]
    out = []
    for d in docs:
        out.extend(d.get("items", []) if d.get("kind") == "List" else [d])
    return out
