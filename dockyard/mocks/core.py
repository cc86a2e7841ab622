"""Mock values for resources that are not tied to one cloud (random)."""

from dockyard.mocks.registry import resource_outputs


@resource_outputs("random:index/randomPassword:RandomPassword", "random:index/randomString:RandomString")
def _random_string(ctx, inputs):
    return {"result": ctx.hex(int(inputs.get("length", 16)), "result")}


@resource_outputs("random:index/randomId:RandomId")
def _random_id(ctx, inputs):
    n = int(inputs.get("byteLength", 4))
    return {"hex": ctx.hex(2 * n), "dec": str(ctx.number(10 ** 9)), "b64Url": ctx.hex(2 * n)}
