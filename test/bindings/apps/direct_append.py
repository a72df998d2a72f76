"""Appends without a Lambda (WritePath.DIRECT) from Python: the bindings test compares its template
with the same app synthesized from TypeScript (test/bindings/bindings.test.ts)."""
import os

from aws_cdk import App, Stack, aws_apigateway as apigateway
from cdk_event_sourced_api import EventSourcedApi, RestApiOptions, WritePath

app = App(outdir=os.environ["CDK_OUTDIR"])
stack = Stack(app, "DirectOrdersApi")
EventSourcedApi(stack, "Orders",
    stream_id_field="orderId",
    max_body_bytes=20000,
    api=RestApiOptions(
        write_path=WritePath.DIRECT,
        cors=apigateway.CorsOptions(allow_origins=["https://app.example.com"]),
    ),
)
app.synth()
