"""The one mock engine: runs a Pulumi program offline and records what it would create.

`dockyard preview` and the test suite (tests/conftest.py) both use :func:`run`. It differs from
the stock ``pulumi.runtime.set_mocks`` in the ways that matter for reviewing a change:

* by default it does not run in preview mode, so every ``apply`` runs and no value is silently
  unknown; ``run(..., preview=True)`` runs the program the way ``pulumi preview`` does instead,
  with every value a cloud computes unknown, to prove the program declares the same resources
  when it cannot see them;
* every custom resource type needs a deliberate mock (dockyard/mocks/): an unmocked type fails
  loudly, unless the caller opts it in to an echoing mock (``run(..., echo=...)``);
* a mock returns only the properties the provider's schema has as outputs (the SDK class's
  getters): inputs the provider does not return are not echoed;
* it records every registration with its parent, provider, dependencies, property dependencies
  and ``additionalSecretOutputs``, and honours the latter (the stock mocks ignore them), so a
  private key stays ``[secret]`` all the way to the stack outputs;
* an invoke that has no mock fails loudly instead of returning ``{}``;
* resources are listed in the order the program constructed them, so the same config gives
  byte-identical output whatever order the RPC threads finished in.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import json
import threading
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pulumi
from google.protobuf import json_format
from pulumi import _types
from pulumi.runtime import config as runtime_config
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime import stack as runtime_stack
from pulumi.runtime.proto import engine_pb2, resource_pb2
from pulumi.runtime.sync_await import _sync_await

from dockyard import mocks as mock_values

_SIG = rpc._special_sig_key
_SECRET = rpc._special_secret_sig
_RESOURCE_REF = rpc._special_resource_sig
_ASSET = rpc._special_asset_sig
_ARCHIVE = rpc._special_archive_sig


class MockInvokeMissing(RuntimeError):
    """Raised for an invoke that has no mock: a silent ``{}`` hides missing resources."""


class MockResourceMissing(RuntimeError):
    """Raised for a custom resource type that has no mock: echoing its inputs would hide what the
    provider computes (ids, addresses) and what it refuses."""


Refused = mock_values.Refused


@dataclass(frozen=True)
class Secret:
    """A value the engine would keep secret; renders as ``[secret]``."""

    value: Any

    def __repr__(self) -> str:
        return "[secret]"


@dataclass
class Registration:
    urn: str
    type: str
    name: str
    parent: str | None
    custom: bool
    provider: str | None
    inputs: dict
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    secret_outputs: list[str]
    remote: bool = False
    id: str | None = None
    outputs: dict = field(default_factory=dict)
    # Resource options as the monitor received them (docs/preview.md, "Lifecycle options").
    delete_before_replace: bool = False
    ignore_changes: list[str] = field(default_factory=list)
    replace_on_changes: list[str] = field(default_factory=list)
    protect: bool = False
    retain_on_delete: bool = False
    aliases: list[str] = field(default_factory=list)
    depends_on: list[str] = field(default_factory=list)


@dataclass
class Result:
    project: str
    stack: str
    resources: list[Registration]
    outputs: dict
    warnings: list[str]

    def of_type(self, type_: str) -> list[Registration]:
        return [r for r in self.resources if r.type == type_]

    def get(self, type_: str, name: str | None = None) -> Registration:
        found = [r for r in self.of_type(type_) if name is None or r.name == name]
        if len(found) != 1:
            names = [r.name for r in self.of_type(type_)]
            raise LookupError(f"expected one {type_} named {name!r}, found {len(found)} among {names}")
        return found[0]

    def by_urn(self, urn: str) -> Registration:
        for r in self.resources:
            if r.urn == urn:
                return r
        raise LookupError(urn)

    def children(self, parent_urn: str) -> list[Registration]:
        return [r for r in self.resources if r.parent == parent_urn]

    def types(self) -> list[str]:
        return [r.type for r in self.resources]


# --- value conversion -----------------------------------------------------------------------


def from_wire(value: Any) -> Any:
    """Turn a JSON-decoded protobuf Struct value into plain Python, secrets as Secret."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [from_wire(v) for v in value]
    if isinstance(value, dict):
        sig = value.get(_SIG)
        if sig == _SECRET:
            return Secret(from_wire(value.get("value")))
        if sig == _RESOURCE_REF:
            return {"$ref": value.get("urn")}
        if sig in (_ASSET, _ARCHIVE):
            kind = "asset" if sig == _ASSET else "archive"
            return {f"${kind}": {k: from_wire(v) for k, v in value.items() if k != _SIG}}
        return {k: from_wire(v) for k, v in value.items()}
    return value


def _struct(message) -> dict:
    return from_wire(json_format.MessageToDict(message)) if message is not None else {}


def _to_wire(value: Any) -> Any:
    """The inverse of from_wire for mock state: Secret -> the wire's secret envelope, resource
    references and assets back to theirs."""
    if isinstance(value, Secret):
        return {_SIG: _SECRET, "value": _to_wire(value.value)}
    if isinstance(value, dict):
        if set(value) == {"$ref"}:
            return {_SIG: _RESOURCE_REF, "urn": value["$ref"]}
        if len(value) == 1 and set(value) <= {"$asset", "$archive"}:
            kind = next(iter(value))
            return {_SIG: _ASSET if kind == "$asset" else _ARCHIVE, **_to_wire(value[kind])}
        return {k: _to_wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_wire(v) for v in value]
    return value


def reveal(value: Any) -> Any:
    """Strip Secret wrappers (for feeding mock state back to mock functions)."""
    if isinstance(value, Secret):
        return reveal(value.value)
    if isinstance(value, dict):
        return {k: reveal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [reveal(v) for v in value]
    return value


def _provider_urn(ref: str) -> str | None:
    # A provider reference is "<urn>::<id>"; the URN itself contains "::".
    return ref.rsplit("::", 1)[0] if ref else None


# --- mocks, monitor, engine -----------------------------------------------------------------


EchoPolicy = Callable[[str], bool]


def _echo_policy(echo: bool | Iterable[str] | EchoPolicy) -> EchoPolicy:
    if callable(echo):
        return echo
    if echo is True:
        return lambda _type: True
    types = frozenset(echo or ())
    return types.__contains__


@functools.cache
def output_names(cls: type) -> frozenset[str] | None:
    """The output properties of a resource class (its ``pulumi.getter`` properties), as the
    provider schema the SDK was generated from lists them; None when the class declares none."""
    names = frozenset(_types._py_to_pulumi_names_from_py_properties(cls).values()) - {"id", "urn"}
    return names or None


class _Mocks(pulumi_mocks.Mocks):
    """Mock values for one run: the registry (dockyard/mocks/) plus the caller's own, strictly."""

    def __init__(self, region: str, *, resources: dict | None = None, invokes: dict | None = None,
                 echo: bool | Iterable[str] | EchoPolicy = (), preview: bool = False):
        self.region = region
        self.resources = {**mock_values.RESOURCES, **(resources or {})}
        self.invokes = {**mock_values.INVOKES, **(invokes or {})}
        self.echo = _echo_policy(echo)
        self.preview = preview
        # type token -> output property names of the SDK class the program constructed (computed
        # on the program's thread: reading a class's annotations may compile, and CPython 3.11
        # keeps the AST builder's depth counter per process, not per thread).
        self.outputs: dict[str, frozenset[str] | None] = {}
        self.by_id: dict[str, dict] = {}  # id -> state of what this run created (MockContext.state_of)
        self.created: dict[str, list[tuple[dict, dict]]] = {}  # type -> (inputs, computed) (MockContext.created)

    def new_resource(self, args: pulumi_mocks.MockResourceArgs):
        inputs = args.inputs  # plain values (RecordingMonitor.RegisterResource)
        ctx = mock_values.MockContext(key=args.typ + "::" + args.name, name=args.name, region=self.region,
                                      type_=args.typ, lookup=self.by_id.get,
                                      created=lambda t: list(self.created.get(t, ())))
        if args.typ.startswith("pulumi:providers:"):
            # A provider's state is its configuration; the engine gives it a UUID id.
            rid = ctx.hex(8, "provider") + "-0000-4000-8000-" + ctx.hex(12, "provider2")
            return ("" if self.preview else rid), inputs
        fn = self.resources.get(args.typ)
        if fn is None:
            if not self.echo(args.typ):
                raise MockResourceMissing(
                    f"no mock for resource type {args.typ} ({args.name}): add one in dockyard/mocks/ "
                    "(echoing the inputs would hide what the provider computes and refuses)"
                )
            fn = _echo
        computed = dict(fn(ctx, inputs))  # may raise Refused: what the cloud refuses at create time
        self.created.setdefault(args.typ, []).append((inputs, dict(computed)))
        names = self.outputs.get(args.typ)
        echoed = inputs if names is None else {k: v for k, v in inputs.items() if k in names}
        if names is not None:
            extra = sorted(set(computed) - names - {"id"})
            if extra:
                raise RuntimeError(f"mock for {args.typ} returns {extra}, which the provider does not output")
        if self.preview:
            # `pulumi preview`: the provider has created nothing; what it computes is unknown.
            return "", echoed
        rid = computed.pop("id", None) or args.resource_id or f"{args.name}-{ctx.hex(8, 'id')}"
        state = {**echoed, **computed}
        self.by_id[rid] = state
        return rid, state

    def call(self, args: pulumi_mocks.MockCallArgs):
        fn = self.invokes.get(args.token)
        if fn is None:
            raise MockInvokeMissing(
                f"no mock for invoke {args.token}: add one in dockyard/mocks/ (a silent empty "
                "result would hide what the program reads)"
            )
        plain = reveal(_plain(args.args))
        ctx = mock_values.MockContext(key=mock_values.stable_key(args.token, plain), region=self.region)
        return fn(ctx, plain)


def _echo(ctx, inputs) -> dict:
    """The opted-in echoing mock: the provider computes nothing the program can see."""
    return {}


def _plain(value: Any) -> Any:
    """Deserialized RPC values may carry the secret envelope; map it to Secret."""
    if isinstance(value, dict):
        if value.get(_SIG) == _SECRET:
            return Secret(_plain(value.get("value")))
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """The stock mock monitor plus a record of every registration, honouring secret outputs."""

    def __init__(self, mocks: _Mocks):
        super().__init__(mocks)
        self.registrations: dict[str, Registration] = {}
        self.stack_outputs: dict = {}
        self.stack_urn: str | None = None
        self.failures: list[Exception] = []  # exceptions a mock raised (the SDK may wrap them)
        self.thread_loops: list[asyncio.AbstractEventLoop] = []  # closed by run() (see _own_loop)
        self._lock = threading.Lock()

    def _own_loop(self) -> None:
        """Give this RPC thread an event loop the run closes afterwards (the SDK would make one
        that is never closed, whose finalizer runs whenever the collector finds it)."""
        if threading.current_thread() is threading.main_thread():
            return
        try:
            loop = asyncio.get_event_loop()
            if not loop.is_closed():
                return
        except RuntimeError:
            pass
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        with self._lock:
            self.thread_loops.append(loop)

    def Invoke(self, request):  # noqa: N802
        self._own_loop()
        return super().Invoke(request)

    def ReadResource(self, request):  # noqa: N802
        self._own_loop()
        return super().ReadResource(request)

    def RegisterResource(self, request):  # noqa: N802 - gRPC method name
        self._own_loop()
        urn = self.make_urn(request.parent, request.type, request.name)
        property_dependencies = {k: sorted(set(v.urns)) for k, v in sorted(request.propertyDependencies.items())}
        implicit = {u for urns in property_dependencies.values() for u in urns}
        reg = Registration(
            urn=urn,
            type=request.type,
            name=request.name,
            parent=request.parent or None,
            custom=bool(request.custom),
            provider=_provider_urn(request.provider),
            inputs=_struct(request.object),
            dependencies=sorted(set(request.dependencies)),
            property_dependencies=property_dependencies,
            secret_outputs=sorted(set(request.additionalSecretOutputs)),
            remote=bool(request.remote),
            delete_before_replace=bool(request.deleteBeforeReplace),
            ignore_changes=sorted(set(request.ignoreChanges)),
            replace_on_changes=sorted(set(request.replaceOnChanges)),
            protect=bool(request.protect),
            retain_on_delete=bool(request.retainOnDelete),
            aliases=sorted({self._alias_urn(request, a) for a in request.aliases} | set(request.aliasURNs)),
            # The SDK sends explicit depends_on and property dependencies merged; the explicit
            # ones are those no property brought.
            depends_on=sorted(set(request.dependencies) - implicit),
        )
        if urn in self.registrations:
            raise RuntimeError(f"duplicate resource URN {urn}")
        self.registrations[urn] = reg
        if request.type == "pulumi:pulumi:Stack":
            self.stack_urn = urn
            return resource_pb2.RegisterResourceResponse(urn=urn)
        if not request.custom and not request.remote:
            # A component: no provider sees it; its outputs are what it registers itself.
            self.resources[urn] = pulumi_mocks.MockMonitor.ResourceRegistration(urn, "", {})
            return resource_pb2.RegisterResourceResponse(urn=urn)

        # The mocks see plain values (a resource reference as {"$ref": urn}): deserializing with the
        # SDK would construct Resource objects whose lookups run on this RPC thread's event loop.
        args = pulumi_mocks.MockResourceArgs(
            typ=request.type,
            name=request.name,
            inputs=reveal(reg.inputs),
            provider=request.provider,
            resource_id=request.importId,
            custom=request.custom or False,
        )
        try:
            rid, state = self.mocks.new_resource(args)
        except Exception as exc:  # the program sees a failed registration; run() re-raises it
            self.failures.append(exc)
            raise
        for key in reg.secret_outputs:
            if key in state and not isinstance(state[key], Secret):
                state[key] = Secret(state[key])
        # Inputs that arrived secret stay secret in the state, as the engine does.
        for key, value in reg.inputs.items():
            if isinstance(value, Secret) and key in state and not isinstance(state[key], Secret):
                state[key] = Secret(state[key])
        reg.id = rid or None
        reg.outputs = state
        wire = _to_wire(state)
        pulumi_mocks._ensure_event_loop()
        obj = _sync_await(rpc.serialize_properties(wire, {}))
        # Keep the wire form: a resource reference read back through getResource re-serializes it.
        self.resources[urn] = pulumi_mocks.MockMonitor.ResourceRegistration(urn, rid, wire)
        return resource_pb2.RegisterResourceResponse(urn=urn, id=rid, object=obj)

    def _alias_urn(self, request, alias) -> str:
        """The URN an alias stands for (an alias spec's blanks default to the resource's own)."""
        if alias.urn:
            return alias.urn
        spec = alias.spec
        parent = "" if spec.noParent else (spec.parentUrn or request.parent)
        urn = self.make_urn(parent, spec.type or request.type, spec.name or request.name)
        if spec.stack or spec.project:
            _, _, rest = urn.partition("urn:pulumi:")
            _stack, project, tail = rest.split("::", 2)
            urn = f"urn:pulumi:{spec.stack or _stack}::{spec.project or project}::{tail}"
        return urn

    def RegisterResourceOutputs(self, request):  # noqa: N802
        self._own_loop()
        if request.urn == self.stack_urn:
            self.stack_outputs = _struct(request.outputs)
        elif request.urn in self.registrations:
            self.registrations[request.urn].outputs = _struct(request.outputs)
        return super().RegisterResourceOutputs(request)


class RecordingEngine:
    """Collects warnings and errors the program logs (pulumi.log.warn / error)."""

    def __init__(self):
        self.warnings: list[str] = []
        self.errors: list[str] = []

    def Log(self, request):  # noqa: N802
        if request.severity == engine_pb2.WARNING:
            self.warnings.append(request.message)
        elif request.severity == engine_pb2.ERROR:
            self.errors.append(request.message)


class ProgramLoggedErrors(RuntimeError):
    """The program logged errors: a real `pulumi up` would fail."""


# --- running a program ----------------------------------------------------------------------


def _config_strings(config: dict[str, Any]) -> dict[str, str]:
    """Pulumi hands structured config to the program as JSON text, scalars as text."""
    out = {}
    for key, value in config.items():
        if isinstance(value, str):
            out[key] = value
        elif isinstance(value, bool):
            out[key] = "true" if value else "false"
        else:
            out[key] = json.dumps(value)
    return out


_FAILED_RUNS = [0]


def failed_runs() -> int:
    """How many runs ended in an exception since the last call (tests collect their garbage)."""
    n, _FAILED_RUNS[0] = _FAILED_RUNS[0], 0
    return n


def _tracking_loop() -> tuple[asyncio.AbstractEventLoop, weakref.WeakSet]:
    """A new event loop that remembers the futures and tasks made on it (see _settle)."""
    loop = asyncio.new_event_loop()
    made: weakref.WeakSet = weakref.WeakSet()
    create_future = loop.create_future

    def tracked_future():
        fut = create_future()
        made.add(fut)
        return fut

    def tracked_task(loop, coro, **kwargs):
        task = asyncio.Task(coro, loop=loop, **kwargs)
        made.add(task)
        return task

    loop.create_future = tracked_future
    loop.set_task_factory(tracked_task)
    return loop, made


def _settle(loop: asyncio.AbstractEventLoop, made: weakref.WeakSet) -> None:
    """Leave no future that logs from its finalizer: cancel what the program left pending (applies
    on values unknown in a preview, the rest of a failed run) and mark failures as seen. Such a
    finalizer runs whenever the collector finds it, and CPython 3.11's compiler fails ("AST
    constructor recursion depth mismatch") when that happens inside it."""
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    for fut in list(made):
        if not fut.done():
            fut.cancel()
        elif not fut.cancelled():
            fut.exception()  # retrieved: its finalizer stays quiet


_SPARE_LOOP: list[asyncio.AbstractEventLoop] = []


def run(
    program: Callable[[], Any],
    *,
    stack: str = "test",
    project: str = "dockyard",
    config: dict[str, Any] | None = None,
    secret_keys: Iterable[str] = (),
    preview: bool = False,
    resources: dict[str, mock_values.ResourceFn] | None = None,
    invokes: dict[str, mock_values.InvokeFn] | None = None,
    echo: bool | Iterable[str] | EchoPolicy = (),
) -> Result:
    """Run ``program`` as the body of a Pulumi stack under mocks and return what it registered.

    ``config`` maps full keys (``dockyard:hosts``, ``aws:region``) to values; structured values are
    passed as JSON like the real engine does. Exceptions from the program propagate unchanged.

    ``preview=True`` runs it as `pulumi preview` does: applies on values a cloud computes do not
    run. ``resources`` / ``invokes`` add or replace mocks for this run only (type token or invoke
    token -> function of (MockContext, inputs)); ``echo`` opts resource types without a mock in
    to an echoing one (a collection of type tokens, a predicate, or True for all). Dockyard's own
    stacks and tests pass none: every type they create has a mock in dockyard/mocks/.
    """
    config = dict(config or {})
    region = str(config.get("aws:region") or "us-east-1")
    mocks = _Mocks(region, resources=resources, invokes=invokes, echo=echo, preview=preview)
    monitor = RecordingMonitor(mocks)
    engine = RecordingEngine()

    runtime_settings.reset_options(project=project, stack=stack, preview=preview)
    features = set(monitor.GetDeploymentInfo(None).supportedFeatures)
    runtime_settings.configure(
        pulumi_mocks.MockSettings(
            monitor=monitor,
            monitor_features=features,
            engine=engine,
            project=project,
            stack=stack,
            dry_run=preview,
            organization="organization",
            callbacks=None,
        )
    )
    runtime_config.set_all_config(_config_strings(config), list(secret_keys))

    constructed: list[pulumi.Resource] = []

    def remember(args: pulumi.ResourceTransformationArgs):
        constructed.append(args.resource)
        if args.type_ not in mocks.outputs:
            mocks.outputs[args.type_] = output_names(type(args.resource))
        return None

    urns: list[str] = []

    async def body():
        root = runtime_settings.get_root_resource()
        runtime_stack.register_stack_transformation(remember)
        result = program()
        if asyncio.iscoroutine(result):
            await result
        # Registration order as the program wrote it, not as the RPC threads finished.
        resolved = await asyncio.gather(*(r.urn.future() for r in [root, *constructed]))
        urns.extend(resolved)

    # The cloud SDKs hold millions of objects; every cyclic-GC pass walks them all while the
    # program allocates tens of thousands of Outputs and tasks. Pausing the collector for the run
    # halves a big stack's preview time at the same peak memory (benchmarks/preview.py).
    collecting = gc.isenabled()
    gc.disable()
    loop, made = _tracking_loop()
    try:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(runtime_stack.run_in_stack(body))
            _settle(loop, made)
        except Exception as exc:
            _FAILED_RUNS[0] += 1
            _settle(loop, made)
            # A mock's own error (a missing mock, a refusal) is the one to report, not the SDK's
            # wrapping of a failed registration.
            cause = next((f for f in monitor.failures if f is not exc), None)
            if cause is not None:
                raise cause from exc
            raise
    finally:
        loop.close()
        for thread_loop in monitor.thread_loops:
            thread_loop.close()
        if not _SPARE_LOOP:  # one idle loop, reused: leave the thread usable for others
            _SPARE_LOOP.append(asyncio.new_event_loop())
        asyncio.set_event_loop(_SPARE_LOOP[0])
        runtime_settings.reset_options()
        if collecting:
            gc.enable()
            # Collect the run's own cycles (tasks, loops, frames: the youngest generation) now, at
            # a safe point: an event loop's finalizer run by a collection inside CPython 3.11's
            # compiler makes it fail ("AST constructor recursion depth mismatch").
            gc.collect(0)

    if engine.errors:
        raise ProgramLoggedErrors("; ".join(engine.errors))

    ordered, seen = [], set()
    for urn in urns:
        if urn in monitor.registrations and urn not in seen:
            ordered.append(monitor.registrations[urn])
            seen.add(urn)
    ordered.extend(r for u, r in monitor.registrations.items() if u not in seen)
    return Result(
        project=project,
        stack=stack,
        resources=ordered,
        outputs=monitor.stack_outputs,
        warnings=sorted(dict.fromkeys(engine.warnings)),
    )

