"""Test your own stacks and components offline: Dockyard's public testing API (docs/testing.md).

Everything here runs a Pulumi program under the same mock engine as ``dockyard preview`` (no
cloud, no credentials, no Pulumi CLI) and returns a :class:`StackResult` you can assert on::

    from dockyard.testing import run_stack

    result = run_stack("production", set=["dockyard:swarm.workers=5"])
    managers = result.find("dockyard:index:DockerHost", name="manager-*")
    assert len(managers) >= 3

* :func:`run_stack` runs a project's program (Pulumi.yaml, __main__.py, stacks/) on a stack file,
  with ``--set``-style overrides, or on a config mapping;
* :func:`run_program` runs a function of yours (your own components) under the same mocks;
* :func:`check_guardrails` / :func:`assert_guardrails_pass` judge a result by Dockyard's guardrails.

Resource types Dockyard does not mock (your own providers' types) get an echoing mock: their
outputs are their inputs. Pass ``mocks={type: function}`` to compute outputs the way the provider
does, or ``strict=True`` to make an unmocked type an error as it is in Dockyard's own tests.
The pytest plugin (dockyard/pytest_plugin.py) wraps these functions as fixtures.

Only the names in ``__all__`` are the API; the engine behind it may change.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "InvalidInput",
    "Lifecycle",
    "MockRequest",
    "Resource",
    "ResourceMock",
    "InvokeMock",
    "StackResult",
    "Violation",
    "assert_guardrails_pass",
    "check_guardrails",
    "find_project_dir",
    "run_program",
    "run_stack",
]


class InvalidInput(ValueError):
    """The stack's config (or a file it names) is invalid: what `dockyard preview` reports as
    ``error: <key path>: <message>`` with exit status 2. ``str()`` is that line without ``error:``."""


@dataclass(frozen=True)
class MockRequest:
    """What a mock of yours is asked: the resource's type token and name, its inputs (plain
    values, secrets revealed) and the stack's AWS region (``aws:region``, default us-east-1)."""

    type: str
    name: str
    inputs: Mapping[str, Any]
    region: str


#: A resource mock: returns the outputs the provider computes (an ``"id"`` key sets the id). The
#: outputs it does not return are the inputs, echoed.
ResourceMock = Callable[[MockRequest], Mapping[str, Any]]
#: An invoke (data source) mock: returns the invoke's result.
InvokeMock = Callable[[Mapping[str, Any]], Mapping[str, Any]]


@dataclass(frozen=True)
class Lifecycle:
    """The resource options that decide how a change is applied (``pulumi.ResourceOptions``)."""

    delete_before_replace: bool = False
    ignore_changes: tuple[str, ...] = ()
    replace_on_changes: tuple[str, ...] = ()
    protect: bool = False
    retain_on_delete: bool = False
    aliases: tuple[str, ...] = ()
    #: Explicit ``depends_on`` only (URNs), not the dependencies inputs bring.
    depends_on: tuple[str, ...] = ()


@dataclass(frozen=True, repr=False)
class Resource:
    """One registered resource (a custom resource, a component, a provider or the stack).

    ``inputs`` and ``outputs`` are plain values, secrets revealed; which of them are secret is in
    ``secret_inputs`` / ``secret_outputs``, as paths like ``pulumi config set --path`` spells them
    (``userData``, ``kubeconfig``, ``nodes["manager-1"].key``). For a component, ``outputs`` is what
    it registered with ``register_outputs``.
    """

    urn: str
    type: str
    name: str
    #: URN of the parent (None only for the stack itself).
    parent: str | None
    #: True for a provider's resource, False for a component resource or the stack.
    custom: bool
    provider: str | None
    id: str | None
    inputs: Mapping[str, Any]
    outputs: Mapping[str, Any]
    secret_inputs: frozenset[str]
    secret_outputs: frozenset[str]
    #: URNs this resource depends on (through inputs or ``depends_on``).
    dependencies: tuple[str, ...]
    #: Input property -> URNs its value came from.
    property_dependencies: Mapping[str, tuple[str, ...]]
    #: Output properties the program asked to keep secret (``additional_secret_outputs``).
    additional_secret_outputs: tuple[str, ...]
    lifecycle: Lifecycle = field(default_factory=Lifecycle)

    def __repr__(self) -> str:  # short: assertion messages list many of them
        return f"<Resource {self.type} {self.name!r}>"

    def is_secret(self, path: str) -> bool:
        """Whether the output at ``path`` (or a value containing it) is a Pulumi secret."""
        return _covered(path, self.secret_outputs)

    def is_secret_input(self, path: str) -> bool:
        """Whether the input at ``path`` (or a value containing it) is a Pulumi secret."""
        return _covered(path, self.secret_inputs)


@dataclass(frozen=True)
class Violation:
    """A guardrail violation: which resource, which rule (docs/guardrails.md), what, how to fix."""

    urn: str
    rule: str
    message: str
    fix: str

    def line(self) -> str:
        """The line `dockyard preview --check` prints for it."""
        return f"{self.urn}: [{self.rule}] {self.message} -- fix: {self.fix}"


class StackResult:
    """What a program would create: resources in the order it declared them, stack outputs,
    warnings. ``to_json()`` is exactly what ``python -m dockyard preview STACK --json`` prints."""

    def __init__(self, engine_result: Any, config: Mapping[str, Any], project_dir: Path):
        self._engine_result = engine_result
        self._config = dict(config)
        self._project_dir = project_dir
        self.project: str = engine_result.project
        self.stack: str = engine_result.stack
        self.resources: tuple[Resource, ...] = tuple(_resource(r) for r in engine_result.resources)
        outputs, secret = _split(engine_result.outputs)
        #: Stack outputs (``pulumi.export``), plain values, secrets revealed.
        self.outputs: Mapping[str, Any] = outputs
        #: Paths of the stack outputs that are secret.
        self.secret_outputs: frozenset[str] = secret
        #: What the program warned about (``pulumi.log.warn``), sorted, without repeats.
        self.warnings: tuple[str, ...] = tuple(engine_result.warnings)
        self._by_urn = {r.urn: r for r in self.resources}

    def __repr__(self) -> str:
        return f"<StackResult {self.project}/{self.stack}: {len(self.resources)} resources>"

    # --- finding resources ---

    def find(self, type: str | None = None, *, name: str | None = None,
             within: Resource | str | None = None) -> list[Resource]:
        """Resources whose type and name match (exact, or shell patterns such as ``aws:ec2/*`` and
        ``*-manager-*``), inside the component ``within`` if given (a Resource, a URN or a
        component's name, the outermost component of that name; its children, their children and
        so on), in declaration order."""
        found = list(self.resources)
        if within is not None:
            root = self._component(within)
            found = [r for r in found if self._inside(r, root.urn)]
        if type is not None:
            found = [r for r in found if fnmatch.fnmatchcase(r.type, type)]
        if name is not None:
            found = [r for r in found if fnmatch.fnmatchcase(r.name, name)]
        return found

    def get(self, type: str | None = None, *, name: str | None = None,
            within: Resource | str | None = None) -> Resource:
        """The one resource :meth:`find` gives; LookupError naming what there is otherwise."""
        found = self.find(type, name=name, within=within)
        if len(found) == 1:
            return found[0]
        what = ", ".join(f"{k}={v!r}" for k, v in (("type", type), ("name", name), ("within", within)) if v)
        candidates = self.find(type) if type is not None else list(self.resources)
        names = sorted(f"{r.type} {r.name}" for r in (found or candidates))
        shown = ", ".join(names[:20]) + (f", ... ({len(names)} in all)" if len(names) > 20 else "")
        raise LookupError(f"expected exactly one resource with {what or 'no filter'}, found {len(found)}"
                          + (f": {shown}" if shown else ""))

    def by_urn(self, urn: str) -> Resource:
        """The resource with this URN."""
        try:
            return self._by_urn[urn]
        except KeyError:
            raise LookupError(f"no resource with URN {urn}") from None

    def children(self, parent: Resource | str) -> list[Resource]:
        """The direct children of a component (a Resource, a URN or a component's name)."""
        urn = self._component(parent).urn
        return [r for r in self.resources if r.parent == urn]

    def parent(self, resource: Resource) -> Resource | None:
        """The resource's parent (a component or the stack), None for the stack itself."""
        return self._by_urn.get(resource.parent) if resource.parent else None

    def types(self) -> list[str]:
        """Every type token that occurs, sorted."""
        return sorted({r.type for r in self.resources})

    def is_secret(self, path: str) -> bool:
        """Whether the stack output at ``path`` (``kubeconfig``, ``swarm.clientKeyPem``) is secret."""
        return _covered(path, self.secret_outputs)

    # --- serialising ---

    def to_dict(self) -> dict[str, Any]:
        """The preview document (docs: DESIGN "Preview JSON"), secrets as ``"[secret]"``."""
        from dockyard import preview

        return preview.document(self._engine_result)

    def to_json(self) -> str:
        """Exactly what ``python -m dockyard preview STACK --json`` prints for the same config."""
        from dockyard import preview

        return preview.to_json(self.to_dict())

    # --- internals ---

    def _component(self, ref: Resource | str) -> Resource:
        if isinstance(ref, Resource):
            return ref
        if ref.startswith("urn:"):
            return self.by_urn(ref)
        named = [r for r in self.resources if r.name == ref and not r.custom]
        # A component often names its children after itself (K3sHost "ci" > DockerHost "ci" >
        # DockerTls "ci"): the name means the outermost of them.
        named = [r for r in named if not any(self._inside(r, other.urn) for other in named)]
        if len(named) != 1:
            comps = sorted({r.name for r in self.resources if not r.custom and r.type != "pulumi:pulumi:Stack"})
            raise LookupError(f"expected one component named {ref!r}, found {len(named)} (components: {comps})")
        return named[0]

    def _inside(self, r: Resource, root: str) -> bool:
        parent = r.parent
        while parent is not None:
            if parent == root:
                return True
            above = self._by_urn.get(parent)
            parent = above.parent if above else None
        return False


# --- running ---------------------------------------------------------------------------------


def find_project_dir(start: str | os.PathLike[str] | None = None) -> Path:
    """The nearest directory holding a Pulumi.yaml, from ``start`` (default: the working
    directory) upward; a file's own directory is where the search starts."""
    here = Path(start if start is not None else os.getcwd()).resolve()
    if here.is_file():
        here = here.parent
    for d in (here, *here.parents):
        if (d / "Pulumi.yaml").is_file():
            return d
    raise FileNotFoundError(f"no Pulumi.yaml in {here} or above it: pass project_dir=")


def run_stack(
    stack: str,
    *,
    set: Iterable[str] | Mapping[str, Any] = (),  # noqa: A002 - named like the CLI's --set
    config: Mapping[str, Any] | None = None,
    project_dir: str | os.PathLike[str] | None = None,
    mocks: Mapping[str, ResourceMock] | None = None,
    invokes: Mapping[str, InvokeMock] | None = None,
    strict: bool = False,
) -> StackResult:
    """Run a project's program (its Pulumi.yaml and __main__.py) for ``stack``.

    The config is stacks/Pulumi.STACK.yaml's (the project's ``stackConfigDir``), or ``config``
    instead when given (keys ``dockyard:swarm``, ``aws:region``; a key without a namespace is the
    project's, as in a stack file). ``set`` overrides values afterwards, like ``preview --set``:
    ``["swarm.workers=5"]`` (the value is YAML) or ``{"swarm.workers": 5}``; paths are spelled as
    ``pulumi config set --path`` takes them. ``project_dir`` defaults to :func:`find_project_dir`.

    Raises :class:`InvalidInput` for an invalid config, as ``preview`` exits 2.
    """
    from components.errors import InputError
    from dockyard import preview, stackfile

    root = Path(project_dir).resolve() if project_dir is not None else find_project_dir()
    try:
        if config is None:
            files = stackfile.load(stack, root)
        else:
            files = stackfile.load_project(stack, root)
            for key, value in config.items():
                files.config[key if ":" in key else f"{files.project}:{key}"] = value
        for assignment in _assignments(set):
            stackfile.apply_set(files, assignment)
        result = _guard(lambda: preview.run_files(files, **_engine_options(mocks, invokes, strict)))
    except InputError as err:
        raise InvalidInput(str(err)) from None
    return StackResult(result, files.config, root)


def run_program(
    program: Callable[[], Any],
    *,
    config: Mapping[str, Any] | None = None,
    stack: str = "test",
    project: str = "test",
    mocks: Mapping[str, ResourceMock] | None = None,
    invokes: Mapping[str, InvokeMock] | None = None,
    strict: bool = False,
) -> StackResult:
    """Run ``program`` (a function that declares resources, e.g. builds your components and calls
    ``pulumi.export``) as the body of a stack, under the same mocks as :func:`run_stack`.

    ``config``: keys ``namespace:key`` (a key without one is ``project``'s) -> values, for a program
    that reads ``pulumi.Config``. Raises :class:`InvalidInput` as :func:`run_stack` does; any other
    exception the program raises propagates.
    """
    from components.errors import InputError
    from dockyard import engine

    full = {(k if ":" in k else f"{project}:{k}"): v for k, v in (config or {}).items()}
    try:
        result = _guard(lambda: engine.run(program, stack=stack, project=project, config=full,
                                           **_engine_options(mocks, invokes, strict)))
    except InputError as err:
        raise InvalidInput(str(err)) from None
    return StackResult(result, full, Path.cwd())


def check_guardrails(result: StackResult) -> list[Violation]:
    """Dockyard's guardrails (docs/guardrails.md) on a result, as ``preview --check`` runs them:
    every violation, in resource order. The stack's config gives the context (adminCidrs,
    published ports, LoadBalancers asked for)."""
    import guardrails

    found = guardrails.check_result(result._engine_result, result._config, result._project_dir)
    return [Violation(v.urn, v.rule, v.message, v.fix) for v in found]


def assert_guardrails_pass(result: StackResult) -> None:
    """AssertionError listing every violation (one line each) unless the guardrails all pass."""
    found = check_guardrails(result)
    if found:
        lines = "\n".join("  " + v.line() for v in found)
        raise AssertionError(f"{len(found)} guardrail violation(s) in {result.project}/{result.stack}:\n{lines}")


# --- internals -------------------------------------------------------------------------------


def _assignments(overrides: Iterable[str] | Mapping[str, Any]) -> list[str]:
    if isinstance(overrides, str):
        return [overrides]
    if isinstance(overrides, Mapping):
        # JSON is YAML: the value reaches apply_set exactly as given.
        return [f"{path}={json.dumps(value)}" for path, value in overrides.items()]
    return list(overrides)


def _guard(run: Callable[[], Any]) -> Any:
    """The program reports bad input as one line and SystemExit(2) (components.config.fail):
    turn that back into the InputError it came from."""
    from components.errors import InputError

    try:
        return run()
    except SystemExit as exc:
        cause = exc.__context__
        if isinstance(cause, InputError):
            raise cause from None
        raise


def _engine_options(mocks: Mapping[str, ResourceMock] | None, invokes: Mapping[str, InvokeMock] | None,
                    strict: bool) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if mocks:
        options["resources"] = {t: _resource_mock(t, fn) for t, fn in mocks.items()}
    if invokes:
        options["invokes"] = {t: _invoke_mock(fn) for t, fn in invokes.items()}
    if not strict:
        # Types Dockyard mocks keep their mocks; any other type echoes its inputs.
        options["echo"] = True
    return options


def _resource_mock(type_: str, fn: ResourceMock) -> Callable[[Any, dict], dict]:
    def mock(ctx: Any, inputs: dict) -> dict:
        return dict(fn(MockRequest(type=type_, name=ctx.name, inputs=inputs, region=ctx.region)))

    return mock


def _invoke_mock(fn: InvokeMock) -> Callable[[Any, dict], dict]:
    def mock(ctx: Any, args: dict) -> dict:
        return dict(fn(args))

    return mock


def _resource(reg: Any) -> Resource:
    inputs, secret_inputs = _split(reg.inputs)
    outputs, secret_outputs = _split(reg.outputs)
    return Resource(
        urn=reg.urn,
        type=reg.type,
        name=reg.name,
        parent=reg.parent,
        custom=reg.custom,
        provider=reg.provider,
        id=reg.id,
        inputs=inputs,
        outputs=outputs,
        secret_inputs=secret_inputs,
        secret_outputs=secret_outputs,
        dependencies=tuple(reg.dependencies),
        property_dependencies={k: tuple(v) for k, v in reg.property_dependencies.items()},
        additional_secret_outputs=tuple(reg.secret_outputs),
        lifecycle=Lifecycle(
            delete_before_replace=reg.delete_before_replace,
            ignore_changes=tuple(reg.ignore_changes),
            replace_on_changes=tuple(reg.replace_on_changes),
            protect=reg.protect,
            retain_on_delete=reg.retain_on_delete,
            aliases=tuple(reg.aliases),
            depends_on=tuple(reg.depends_on),
        ),
    )


_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_-]+\Z")


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    if _PLAIN_KEY.match(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(key)}]"


def _split(value: Any) -> tuple[Any, frozenset[str]]:
    """(plain value, paths of the secret values in it)."""
    from dockyard.engine import Secret

    secret: set[str] = set()

    def walk(v: Any, p: str) -> Any:
        if isinstance(v, Secret):
            secret.add(p)
            return walk(v.value, p)
        if isinstance(v, dict):
            return {k: walk(x, _join(p, k)) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [walk(x, _join(p, i)) for i, x in enumerate(v)]
        return v

    plain = walk(value, "")
    return plain, frozenset(secret)


def _covered(path: str, secret: Iterable[str]) -> bool:
    """A path is secret when it or a value containing it is."""
    for s in secret:
        if s == "" or path == s or (path.startswith(s) and path[len(s)] in ".["):
            return True
    return False
