"""An HTTP API front door with JWT authorization, from Python: the bindings test compares its
template with the same app synthesized from TypeScript (test/bindings/bindings.test.ts)."""
import os

from aws_cdk import App, Stack
from cdk_event_sourced_api import ApiAuthorization, ApiKind, EventSourcedApi, EventSourcedApiProps, RestApiOptions

app = App(outdir=os.environ["CDK_OUTDIR"])
stack = Stack(app, "HttpOrdersApi")
EventSourcedApi(stack, "Orders", api=RestApiOptions(
    kind=ApiKind.HTTP,
    authorization=ApiAuthorization.jwt("https://issuer.example.com/", ["orders-client"], ["orders/write"]),
    throttling_rate_limit=20,
))
app.synth()
