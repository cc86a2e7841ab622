"""Shell scripts that form, heal and reconcile a swarm, generated from the config.

Each function returns the text of a POSIX ``sh`` script (it runs under bash, dash and busybox
``sh``: cloud nodes run it through SSH in the login shell, local Docker-in-Docker nodes through
``docker exec ... sh -c`` in the node's Alpine image). The scripts talk to the Docker engine with
the plain ``docker`` CLI, so the endpoint is whatever ``DOCKER_HOST`` says (unset on a node: its
own unix socket). The real-engine tests run exactly this text against dockerd in network
namespaces, twice: with the config before a change and with the config after it.

The steps, and what each learns about the swarm that exists already (Pulumi gives a program no
view of the previous run, so every script reads the live state first):

* ``probe`` on every configured manager but manager-1: prints ``holds <cluster ID> <address>
  <tokens>`` when that engine is a manager of a swarm, ``none`` otherwise. It is how a fresh
  manager-1 finds the swarm it must join;
* ``bootstrap`` on manager-1 (the resource keeps its old name, ``init``): joins the swarm a probe
  reported, through any manager that answers; initialises a new swarm only when no configured
  manager holds one, and on a later run (``first=False``) only when the swarm had a single manager
  (its state died with it). Prints the cluster ID, the join tokens and the managers' node IDs;
* ``join`` on every other node: a node in another or a stale swarm (managers: another cluster ID;
  workers, which do not see the cluster ID: none of their managers is one of the swarm's) leaves
  it and joins through any configured manager that answers; prints the node's ID;
* ``reconcile`` on manager-1: promotes first and waits until the new managers are reachable,
  demotes one at a time, applies availability and labels, then removes what the config no longer
  names: each manager demoted one at a time (quorum holds at every step), each node drained until
  its tasks have moved, and the entries of nodes that are down (replaced or lost) removed;
* ``leave`` on a node and ``forget`` on manager-1, run when Pulumi deletes a dropped node's
  commands (after the reconcile, before the host): the node leaves the swarm itself, then its
  entry is removed once it is down;
* ``converge`` on manager-1 after the stacks: waits, bounded, until every service runs its
  replicas, and fails naming the services whose tasks never start (an image with no variant for
  the nodes' platform, a crashing command).

Rules every script follows:

* idempotent: it reads ``docker info`` (LocalNodeState, ControlAvailable, Cluster.ID) and ``docker
  node inspect`` first and acts only on a difference, because ``swarm init``/``join`` on a node
  already in a swarm exits 1 and ``--label-rm`` of a missing label exits 1 (measured, see
  /work/shared/ENVIRONMENT.md);
* on a cloud node it first waits (bounded) for the provisioning marker that cloud-init / Ignition
  writes after the last dockerd restart (CONTRACTS.md: /var/lib/dockyard/provisioned), then for
  ``docker info``: answering ``docker info`` alone raced a dockerd restart still to come;
* fails with ``dockyard swarm: node <name>, step <step>: <what>`` on stderr and exit 1;
* secrets (join tokens) never appear in the script text, in the environment or in logs: they
  arrive on stdin (pulumi_command's remote ``environment`` needs ``AcceptEnv`` on the SSH
  server, stdin works everywhere), and every stdout that carries them is a secret output with
  logging off.

Parameters are embedded as shell-quoted assignments at the top, so a preview diff of the command
shows exactly what changed (a label, a role) and nothing depends on the remote shell's env.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from components.cloud_limits import SWARM_PORTS  # noqa: F401  (re-exported for the swarm modules)

DEFAULT_WAIT_SECONDS = 180
#: Written by the last provisioning step on cloud nodes (CONTRACTS.md, h-hosts writes it).
PROVISIONED_MARKER = "/var/lib/dockyard/provisioned"
#: How long the converge step waits for every service's tasks to run.
DEFAULT_CONVERGE_SECONDS = 300


@dataclass(frozen=True)
class NodeSpec:
    """The wanted state of one node, as the reconcile script applies it.

    ``node_id`` is the swarm node ID the join script printed, or ``"self"`` for the node the
    reconcile runs on (manager-1).
    """

    name: str
    node_id: str
    role: str = "worker"
    availability: str = "active"
    labels: Mapping[str, str] = field(default_factory=dict)


def _q(value: object) -> str:
    return shlex.quote(str(value))


def _fill(body: str, **values: object) -> str:
    """The shell body with ``@NAME@`` placeholders replaced (no brace escaping in the bodies)."""
    for key, value in values.items():
        body = body.replace(f"@{key}@", str(value))
    return body


_PRELUDE = r"""set -eu
fail() { echo "dockyard swarm: node $NODE, step $STEP: $*" >&2; exit 1; }
say() { echo "dockyard swarm: node $NODE, step $STEP: $*" >&2; }
# Use sudo only where the login user cannot reach the local socket (Ubuntu images log in as a
# user outside the docker group); DOCKER_HOST set means the caller chose the endpoint.
if [ -z "${DOCKER_HOST:-}" ] && [ "$(id -u)" != 0 ] && ! [ -w /var/run/docker.sock ] \
   && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  dk() { sudo -n docker "$@"; }
else
  dk() { docker "$@"; }
fi
START=$(date +%s)
elapsed() { echo $(( $(date +%s) - START )); }
wait_for_provisioning() {
  # The marker is written after dockerd's last (re)start by provisioning: before it exists,
  # dockerd may still be installed or restarted under us.
  [ -n "$MARKER" ] || return 0
  until [ -e "$MARKER" ]; do
    if [ "$(elapsed)" -ge "$WAIT_SECONDS" ]; then
      fail "provisioning did not finish within ${WAIT_SECONDS}s: $MARKER does not exist (cloud-init or Ignition still running or failed; see /var/log/cloud-init-output.log or journalctl on the node)"
    fi
    sleep 2
  done
}
wait_for_dockerd() {
  until dk info --format '{{.ID}}' >/dev/null 2>&1; do
    if [ "$(elapsed)" -ge "$WAIT_SECONDS" ]; then
      fail "dockerd did not answer within ${WAIT_SECONDS}s ($(dk info 2>&1 | tail -n 1))"
    fi
    sleep 2
  done
}
swarm_state() { dk info --format '{{.Swarm.LocalNodeState}}'; }
is_manager() { [ "$(dk info --format '{{.Swarm.ControlAvailable}}')" = true ]; }
cluster_id() { dk info --format '{{if .Swarm.Cluster}}{{.Swarm.Cluster.ID}}{{end}}'; }
wait_until_active() {
  waited=0
  while :; do
    st=$(swarm_state)
    [ "$st" = active ] && return 0
    case "$st" in error|locked) fail "swarm state is $st";; esac
    [ "$waited" -ge "$WAIT_SECONDS" ] && fail "swarm state still $st after ${WAIT_SECONDS}s"
    sleep 1
    waited=$((waited + 1))
  done
}
mask() { if [ -n "${SWARM_TOKEN:-}" ]; then printf '%s' "$1" | sed "s/$SWARM_TOKEN/[secret]/g"; else printf '%s' "$1"; fi; }
# join_through ADDR...: `docker swarm join` through the first manager that accepts; the token is
# in docker's argv on this node only and masked in anything we print.
join_through() {
  errors=""
  for m in "$@"; do
    case "$m" in *:*) target=$m ;; *) target=$m:2377 ;; esac
    if out=$(dk swarm join --token "$SWARM_TOKEN" --advertise-addr "$ADDR" --listen-addr "$ADDR:2377" \
             "$target" 2>&1); then
      say "joined the swarm through $target"
      return 0
    fi
    errors="$errors; $target: $(mask "$out" | tail -n 1)"
    [ "$(swarm_state)" = inactive ] || return 0
  done
  fail "no manager accepted the join${errors}"
}
leave_swarm() {
  say "$1: leaving it"
  dk swarm leave --force >/dev/null 2>&1 || fail "docker swarm leave --force failed"
}
"""


def _prelude(node: str, step: str, wait_seconds: int, marker: str | None) -> str:
    """Parameters, common functions, and the bounded wait for provisioning and dockerd."""
    return (
        "#!/bin/sh\n"
        "# Generated by Dockyard (components/swarm/scripts.py). Idempotent: safe to run again.\n"
        f"NODE={_q(node)}\nSTEP={_q(step)}\nWAIT_SECONDS={int(wait_seconds)}\nMARKER={_q(marker or '')}\n"
        + _PRELUDE
        + "wait_for_provisioning\nwait_for_dockerd\n"
    )


# --- probe (managers 2..N) -----------------------------------------------------------------------

_PROBE = r"""if [ "$(swarm_state)" = active ] && is_manager; then
  mt=$(dk swarm join-token -q manager) || fail "cannot read the manager join token"
  wt=$(dk swarm join-token -q worker) || fail "cannot read the worker join token"
  echo "holds $(cluster_id) $(dk info --format '{{.Swarm.NodeAddr}}') $mt $wt"
else
  echo none
fi
"""


def probe_script(node: str, *, wait_seconds: int = DEFAULT_WAIT_SECONDS, marker: str | None = None) -> str:
    """Whether this engine manages a swarm: ``holds <cluster> <addr> <mtoken> <wtoken>`` or ``none``.

    Its stdout carries tokens: the caller keeps it secret and out of the logs.
    """
    return _prelude(node, "probe", wait_seconds, marker) + _PROBE


# --- bootstrap (manager-1) ---------------------------------------------------------------------------

_BOOTSTRAP = r"""# Probe lines on stdin: "holds <cluster> <addr> <manager token> <worker token>" or "none".
PEERS=""
while IFS= read -r line || [ -n "$line" ]; do
  case "$line" in "holds "*) PEERS="$PEERS${line#holds }
";; esac
done
peer_cluster() { printf '%s' "$PEERS" | head -n 1 | cut -d' ' -f1; }
peer_addrs() { printf '%s' "$PEERS" | grep "^$(peer_cluster) " | cut -d' ' -f2; }
peer_token() { printf '%s' "$PEERS" | head -n 1 | cut -d' ' -f3; }
st=$(swarm_state)
if [ "$st" = pending ]; then wait_until_active; st=active; fi
case "$st" in error|locked) fail "swarm state is $st" ;; esac
if [ "$st" = active ] && [ -n "$PEERS" ]; then
  if is_manager; then
    mine=$(cluster_id)
    if ! printf '%s' "$PEERS" | cut -d' ' -f1 | grep -qxF -- "$mine"; then
      leave_swarm "in swarm $mine while the other managers hold swarm $(peer_cluster)"
      st=inactive
    fi
  else
    leave_swarm "a worker, while manager-1 must be a manager of the swarm the other managers hold"
    st=inactive
  fi
fi
case "$st" in
  inactive)
    if [ -n "$PEERS" ]; then
      SWARM_TOKEN=$(peer_token)
      # shellcheck disable=SC2046 - one address per word
      join_through $(peer_addrs)
      SWARM_TOKEN=
    elif [ "$FIRST" = yes ] || [ "$MANAGERS" -eq 1 ]; then
      out=$(dk swarm init --advertise-addr "$ADDR" --listen-addr "$ADDR:2377" 2>&1) \
        || fail "docker swarm init failed: $out"
      if [ "$FIRST" = yes ]; then
        say "initialised a new swarm advertising $ADDR"
      else
        say "the swarm's only manager was replaced and its state went with it: initialised a new swarm; nodes still in the old one leave it and join this one"
      fi
    else
      fail "this engine is fresh and none of the other $((MANAGERS - 1)) configured managers holds a swarm: every manager was replaced at once, and the swarm's state went with them. Refusing to initialise a second swarm. Replace managers one pulumi up at a time (docs/swarm.md, Day-2 operations); to start over with a new swarm on purpose, pulumi destroy the swarm first"
    fi
    ;;
  active)
    is_manager || fail "already part of a swarm as a worker; it cannot initialise one"
    say "already a manager of the swarm: nothing to do"
    ;;
  *) fail "unexpected swarm state $st" ;;
esac
wait_until_active
is_manager || fail "joined, but not as a manager"
mt=$(dk swarm join-token -q manager) || fail "cannot read the manager join token"
wt=$(dk swarm join-token -q worker) || fail "cannot read the worker join token"
ids=$(dk node ls --filter role=manager --format '"{{.ID}}",' | tr -d '\n' | sed 's/,$//')
printf '{"clusterId":"%s","managerIds":[%s],"managerToken":"%s","nodeId":"%s","workerToken":"%s"}\n' \
  "$(cluster_id)" "$ids" "$mt" "$(dk info --format '{{.Swarm.NodeID}}')" "$wt"
"""


def bootstrap_script(node: str, advertise_addr: str, *, managers: int, first: bool = True,
                     wait_seconds: int = DEFAULT_WAIT_SECONDS, marker: str | None = None) -> str:
    """Put manager-1 in the swarm: join the one another manager holds, or initialise it.

    ``first`` is True for the command's create (the swarm's first run) and False for its update
    (any later run: manager-1 replaced, a probe changed). Probe lines arrive on stdin. Prints
    one JSON line with ``clusterId``, ``managerIds``, ``nodeId`` and the two join tokens: the
    caller must keep stdout secret and out of the logs.
    """
    return (_prelude(node, "init", wait_seconds, marker)
            + f"ADDR={_q(advertise_addr)}\nMANAGERS={int(managers)}\nFIRST={'yes' if first else 'no'}\n"
            + _BOOTSTRAP)


def init_script(node: str, advertise_addr: str, *, wait_seconds: int = DEFAULT_WAIT_SECONDS,
                marker: str | None = None) -> str:
    """The bootstrap of a one-manager swarm's first run (kept for callers of the old name)."""
    return bootstrap_script(node, advertise_addr, managers=1, first=True, wait_seconds=wait_seconds,
                            marker=marker)


# --- join (every other node) ---------------------------------------------------------------------

_JOIN = r"""SWARM_TOKEN=
IFS= read -r SWARM_TOKEN || true
case "$SWARM_TOKEN" in
  SWMTKN-*) ;;
  *) fail "no swarm join token on stdin" ;;
esac
in_wanted_swarm() {
  # A manager sees its cluster ID; a worker only its managers' node IDs.
  [ -z "$CLUSTER$MANAGER_IDS" ] && return 0  # no identity given: any swarm will do
  if is_manager; then
    [ "$(cluster_id)" = "$CLUSTER" ]
    return
  fi
  for r in $(dk info --format '{{range .Swarm.RemoteManagers}}{{.NodeID}} {{end}}'); do
    for w in $MANAGER_IDS; do [ "$r" = "$w" ] && return 0; done
  done
  return 1
}
st=$(swarm_state)
if [ "$st" = pending ]; then
  waited=0
  while [ "$(swarm_state)" = pending ] && [ "$waited" -lt 30 ]; do sleep 1; waited=$((waited + 1)); done
  st=$(swarm_state)
  [ "$st" = pending ] && { leave_swarm "still pending after 30s (its managers are gone)"; st=inactive; }
fi
case "$st" in
  error) leave_swarm "in swarm state error"; st=inactive ;;
  locked) fail "the node's swarm is locked (autolock): unlock it with docker swarm unlock" ;;
  active)
    if in_wanted_swarm; then
      say "already part of the swarm: nothing to do"
    else
      leave_swarm "in another swarm than $CLUSTER (or a stale one)"
      st=inactive
    fi
    ;;
esac
if [ "$st" = inactive ]; then
  # shellcheck disable=SC2086 - one address per word
  join_through $JOIN_ADDRS
fi
SWARM_TOKEN=
wait_until_active
dk info --format '{{.Swarm.NodeID}}'
"""


def join_script(node: str, advertise_addr: str, manager_addrs: str | Iterable[str], *,
                cluster_id: str = "", manager_ids: Iterable[str] = (),
                wait_seconds: int = DEFAULT_WAIT_SECONDS, marker: str | None = None) -> str:
    """Put a node in the swarm ``cluster_id`` with the token read from stdin; prints its node ID.

    ``manager_addrs``: the configured managers' addresses, tried in order (any manager that is in
    the swarm accepts a join). ``manager_ids``: the swarm's manager node IDs, which identify the
    swarm from a worker.
    """
    addrs = [manager_addrs] if isinstance(manager_addrs, str) else list(manager_addrs)
    addrs = [a for a in addrs if a != advertise_addr]
    return (_prelude(node, "join", wait_seconds, marker)
            + f"ADDR={_q(advertise_addr)}\nJOIN_ADDRS={_q(' '.join(addrs))}\nCLUSTER={_q(cluster_id)}\n"
            + f"MANAGER_IDS={_q(' '.join(manager_ids))}\n"
            + _JOIN)


# --- reconcile (manager-1) -----------------------------------------------------------------------

_RECONCILE = r"""CHANGES=0
changed() { echo "changed: $*"; CHANGES=$((CHANGES + 1)); }
is_manager || fail "not a swarm manager; roles and availability can only be changed from one"
SELF=$(dk info --format '{{.Swarm.NodeID}}')
retry() {
  # A concurrent update of the same node object fails with "update out of sequence": retry.
  tries=0
  until out=$("$@" 2>&1); do
    tries=$((tries + 1))
    [ "$tries" -ge 5 ] && fail "$* failed: $out"
    sleep 1
  done
}
resolve() { if [ "$1" = self ]; then echo "$SELF"; else echo "$1"; fi; }
demote() {
  # One manager at a time, and only once the change before it has settled.
  retry dk node demote "$1"
  _dw=0
  until [ "$(dk node inspect --format '{{.Spec.Role}}{{if .ManagerStatus}} raft{{end}}' "$1" 2>/dev/null)" = worker ]; do
    [ "$_dw" -ge "$WAIT_SECONDS" ] && fail "node $1 still a Raft member ${WAIT_SECONDS}s after its demotion"
    sleep 1
    _dw=$((_dw + 1))
  done
}
check_node() {
  id=$(resolve "$2")
  dk node inspect --format '{{.ID}}' "$id" >/dev/null 2>&1 || fail "node $1 ($id) is not in the swarm"
}
promote_node() {
  id=$(resolve "$2")
  [ "$3" = manager ] || return 0
  if [ "$(dk node inspect --format '{{.Spec.Role}}' "$id")" = worker ]; then
    retry dk node promote "$id"; changed "$1 role worker -> manager"
  fi
}
demote_node() {
  id=$(resolve "$2")
  [ "$3" = worker ] || return 0
  if [ "$(dk node inspect --format '{{.Spec.Role}}' "$id")" = manager ]; then
    demote "$id"; changed "$1 role manager -> worker"
  fi
}
apply_node() {
  name=$1; id=$(resolve "$2"); avail=$3; shift 3
  STEP="reconcile $name"
  cur_avail=$(dk node inspect --format '{{.Spec.Availability}}' "$id")
  if [ "$cur_avail" != "$avail" ]; then
    retry dk node update --availability "$avail" "$id"; changed "$name availability $cur_avail -> $avail"
  fi
  have=$(dk node inspect --format '{{range $k, $v := .Spec.Labels}}{{$k}}={{$v}}{{"\n"}}{{end}}' "$id")
  for kv in "$@"; do
    if ! printf '%s\n' "$have" | grep -qxF -- "$kv"; then
      retry dk node update --label-add "$kv" "$id"; changed "$name label $kv"
    fi
  done
  # Label keys and values hold no whitespace (validated), so word splitting is safe here.
  set -f
  for line in $have; do
    key=${line%%=*}
    wanted=no
    for kv in "$@"; do [ "${kv%%=*}" = "$key" ] && wanted=yes; done
    if [ "$wanted" = no ]; then
      retry dk node update --label-rm "$key" "$id"; changed "$name label -$key"
    fi
  done
  set +f
  STEP=reconcile
}
unwanted() {
  # Node IDs in the swarm that the config does not name (scaled away, or a replaced node's entry).
  for _uid in $(dk node ls -q); do
    [ "$_uid" = "$SELF" ] && continue
    _ukeep=no
    for _uk in $KEEP; do [ "$_uk" = "$_uid" ] && _ukeep=yes; done
    if [ "$_ukeep" = no ]; then echo "$_uid"; fi
  done
  return 0
}
describe() { dk node inspect --format '{{.Description.Hostname}} ({{.ID}})' "$1"; }
prune_nodes() {
  gone=$(unwanted)
  [ -n "$gone" ] || return 0
  # 1. Managers first, one at a time, while the wanted ones are all reachable: quorum holds.
  for _pid in $gone; do
    if [ "$(dk node inspect --format '{{.Spec.Role}}' "$_pid")" = manager ]; then
      wait_reachable_except "$gone"
      _pwhat=$(describe "$_pid"); demote "$_pid"; changed "$_pwhat not in the config: demoted"
    fi
  done
  # 2. Drain, and wait (bounded) until no task of theirs runs any more.
  for _pid in $gone; do
    _pstate=$(dk node inspect --format '{{.Status.State}}' "$_pid")
    if [ "$(dk node inspect --format '{{.Spec.Availability}}' "$_pid")" != drain ]; then
      retry dk node update --availability drain "$_pid"; changed "$(describe "$_pid") not in the config: drained"
    fi
    [ "$_pstate" = ready ] || continue  # a down (or unknown) node runs nothing we could wait for
    _pw=0
    while [ -n "$(dk node ps --filter desired-state=running -q "$_pid" 2>/dev/null)" ] \
          || dk node ps --format '{{.CurrentState}}' "$_pid" 2>/dev/null | grep -q '^Running'; do
      [ "$_pw" -ge "$WAIT_SECONDS" ] && fail "tasks still on $(describe "$_pid") ${WAIT_SECONDS}s after draining it"
      sleep 1
      _pw=$((_pw + 1))
    done
  done
  # 3. Remove the entries of nodes that are down (a replaced or lost host). A node still up leaves
  #    the swarm itself first: its leave command runs `docker swarm leave` on it when Pulumi deletes
  #    that command (after this update, before its host), then its forget command removes it here.
  for _pid in $gone; do
    _pwhat=$(describe "$_pid")
    # The old entry of a replaced node (its name is wanted again, and its successor has joined):
    # its engine went with its host, so wait (bounded) until the managers see it down.
    case " $NAMES " in
      *" ${_pwhat% (*} "*) _pd=0
        while [ "$(dk node inspect --format '{{.Status.State}}' "$_pid")" = ready ] && [ "$_pd" -lt "$REPLACED_WAIT" ]; do
          sleep 1; _pd=$((_pd + 1))
        done ;;
    esac
    if [ "$(dk node inspect --format '{{.Status.State}}' "$_pid")" = ready ]; then
      say "$_pwhat is drained and still up: it leaves the swarm, then is removed, when its host goes"
      continue
    fi
    retry dk node rm --force "$_pid"; changed "$_pwhat not in the config: removed"
  done
}
wait_reachable_except() {
  # Every manager the config wants is reachable before one more is demoted. (sh has no local
  # variables: every helper uses names of its own.)
  _ww=0
  while :; do
    _wbad=no
    for _wl in $(dk node ls --filter role=manager --format '{{.ID}}={{.ManagerStatus}}'); do
      _wid=${_wl%%=*}; _wst=${_wl#*=}
      _wskip=no
      for _wg in $1; do [ "$_wg" = "$_wid" ] && _wskip=yes; done
      [ "$_wskip" = yes ] && continue
      case "$_wst" in Leader|Reachable) ;; *) _wbad=yes ;; esac
    done
    [ "$_wbad" = no ] && return 0
    [ "$_ww" -ge "$WAIT_SECONDS" ] && fail "the configured managers are not all reachable after ${WAIT_SECONDS}s; not demoting another one"
    sleep 1
    _ww=$((_ww + 1))
  done
}
"""


def reconcile_script(control_node: str, nodes: Iterable[NodeSpec], *,
                     wait_seconds: int = DEFAULT_WAIT_SECONDS, marker: str | None = None) -> str:
    """Make roles, availability, labels and membership match ``nodes``; runs on a manager.

    Order (so a change never passes through fewer reachable managers than it ends with): every
    node is checked to be in the swarm; promotions, then a wait until every manager is reachable;
    demotions one at a time; availability and labels; then the nodes the config no longer names
    (scaled away, or the stale entry a replaced node left): managers demoted one at a time while
    the wanted managers are reachable, every one drained until its tasks have moved, and removed
    if it is down; one still up leaves first (:func:`leave_script`, :func:`forget_script`, run as
    Pulumi deletes it, after this). Their hosts are deleted after that. Prints ``changed: ...`` lines or
    ``unchanged``.
    """
    nodes = list(nodes)
    lines = [f"check_node {_q(n.name)} {_q(n.node_id)}" for n in nodes]
    lines += [f"promote_node {_q(n.name)} {_q(n.node_id)} {_q(n.role)}" for n in nodes]
    lines.append('[ "$CHANGES" -gt 0 ] && wait_reachable_except "$(unwanted)"')
    lines += [f"demote_node {_q(n.name)} {_q(n.node_id)} {_q(n.role)}" for n in nodes]
    for n in nodes:
        labels = " ".join(_q(f"{k}={v}") for k, v in sorted(n.labels.items()))
        lines.append(f"apply_node {_q(n.name)} {_q(n.node_id)} {_q(n.availability)}"
                     + (f" {labels}" if labels else ""))
    keep = " ".join(n.node_id for n in nodes if n.node_id != "self")
    names = " ".join(n.name for n in nodes)
    # A replaced host's engine is gone (delete-first) or goes after this update (create-first, then
    # its leave/forget remove it): a dead node shows "down" after a few missed heartbeats (~15 s).
    replaced_wait = min(int(wait_seconds), 60)
    return (_prelude(control_node, "reconcile", wait_seconds, marker)
            + f"KEEP={_q(keep)}\nNAMES={_q(names)}\nREPLACED_WAIT={replaced_wait}\n" + _RECONCILE + "\n".join(lines)
            + "\nprune_nodes\n" + '[ "$CHANGES" -eq 0 ] && echo unchanged\nexit 0\n')


# --- leave and forget (a node Pulumi deletes) ----------------------------------------------------

_LEAVE = r"""# Runs as the delete of this node's leave command: the node was scaled away (or its host is
# being replaced). The reconcile has demoted and drained it already.
st=$(swarm_state)
if [ "$st" = inactive ]; then echo "not in a swarm"; exit 0; fi
mine=$(dk info --format '{{.Swarm.NodeID}}')
if [ "$mine" != "$NODE_ID" ]; then
  say "this engine is node $mine, not $NODE_ID (its successor): it stays"; echo stays; exit 0
fi
if is_manager; then
  # A node scaled away was demoted by the reconcile before any deletion: a manager here is a
  # replaced node's old engine, which the swarm still counts on for quorum.
  say "still a manager (the reconcile demotes a node it lets go): it stays"; echo stays; exit 0
fi
out=$(dk swarm leave 2>&1) || fail "docker swarm leave failed: $out"
say "left the swarm"
echo left
"""

_FORGET = r"""# Runs as the delete of a node's forget command, after the node's leave: removes its entry.
if ! dk node inspect "$NODE_ID" >/dev/null 2>&1; then echo "not in the swarm"; exit 0; fi
what=$(dk node inspect --format '{{.Description.Hostname}} ({{.ID}})' "$NODE_ID")
if [ "$(dk node inspect --format '{{.Spec.Availability}}' "$NODE_ID")" != drain ]; then
  say "$what is not drained: still wanted, kept"; echo kept; exit 0
fi
waited=0
until [ "$(dk node inspect --format '{{.Status.State}}' "$NODE_ID")" = down ]; do
  if [ "$waited" -ge "$WAIT_SECONDS" ]; then
    say "$what is still up ${WAIT_SECONDS}s after its leave: kept (the next reconcile removes it once it is down)"
    echo kept; exit 0
  fi
  sleep 1
  waited=$((waited + 1))
done
out=$(dk node rm "$NODE_ID" 2>&1) || fail "docker node rm $NODE_ID failed: $out"
echo "removed: $what"
"""


def leave_script(node: str, node_id: str, *, wait_seconds: int = 60, marker: str | None = None) -> str:
    """``docker swarm leave`` on the node itself, while its host still runs (Pulumi deletes this
    command before the host). Only the engine that joined as ``node_id`` leaves: a successor that
    took over the node's address or name stays. Prints ``left``, ``stays`` or ``not in a swarm``."""
    return _prelude(node, "leave", wait_seconds, marker) + f"NODE_ID={_q(node_id)}\n" + _LEAVE


def forget_script(control_node: str, node_id: str, *, wait_seconds: int = 60, marker: str | None = None) -> str:
    """On manager-1, after the node's leave: wait (bounded) until the drained node is down, then
    ``docker node rm`` it. A node that is not drained is still wanted and is kept."""
    return _prelude(control_node, "forget", wait_seconds, marker) + f"NODE_ID={_q(node_id)}\n" + _FORGET


# --- converge (manager-1, after the stacks) ----------------------------------------------------------

_CONVERGE = r"""# Each word: <service name>=<replicas> (a number, or "global").
pending() {
  for sv in $SERVICES; do
    name=${sv%%=*}
    have=$(dk service ls --filter "name=$name" --format '{{.Name}} {{.Replicas}}' | grep "^$name " | cut -d' ' -f2)
    running=${have%%/*}; want=${have#*/}
    want=${want%% *}
    [ -n "$have" ] || { echo "$name (not found)"; continue; }
    [ "$running" = "$want" ] || echo "$name ($have running)"
  done
}
START_C=$(date +%s)
while :; do
  left=$(pending)
  [ -z "$left" ] && break
  if [ $(( $(date +%s) - START_C )) -ge "$CONVERGE_SECONDS" ]; then
    why=""
    for sv in $SERVICES; do
      name=${sv%%=*}
      err=$(dk service ps --no-trunc --filter desired-state=running --format '{{.Error}}|{{.CurrentState}}' "$name" 2>/dev/null \
            | grep -v '^|Running' | head -n 1)
      [ -n "$err" ] && why="$why; $name: ${err%%|*} (${err#*|})"
    done
    fail "services did not converge within ${CONVERGE_SECONDS}s: $(echo "$left" | tr '\n' ',' | sed 's/,$//')$why. An image with no variant for the nodes' platform (an amd64-only image on arm64) or a command that cannot start never gets running tasks"
  fi
  sleep 2
done
echo converged
"""


def converge_script(control_node: str, services: Mapping[str, int | None], *,
                    timeout_seconds: int = DEFAULT_CONVERGE_SECONDS,
                    wait_seconds: int = DEFAULT_WAIT_SECONDS, marker: str | None = None,
                    revision: str = "") -> str:
    """Wait until every service (name -> replicas, None for global) runs all its tasks.

    ``revision`` (a digest of the services' specs) is embedded so that a changed rollout runs
    the wait again.
    """
    words = " ".join(f"{name}={'global' if n is None else int(n)}" for name, n in sorted(services.items()))
    return (_prelude(control_node, "converge", wait_seconds, marker)
            + f"SERVICES={_q(words)}\nCONVERGE_SECONDS={int(timeout_seconds)}\nREVISION={_q(revision)}\n"
            + _CONVERGE)
