"""A view with declared indexes, from Python (ViewIndex, IndexKey, IndexKeyType): the bindings test
compares its template with the same app synthesized from TypeScript (test/bindings/bindings.test.ts)."""
import os

from aws_cdk import App, Stack
from cdk_event_sourced_api import EventSourcedApi, IndexKey, IndexKeyType, ProjectionDefinition, ViewIndex

COUNTER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "fixtures", "projections", "counter.ts")

app = App(outdir=os.environ["CDK_OUTDIR"])
stack = Stack(app, "IndexedOrdersApi")
EventSourcedApi(stack, "Orders", projections=[
    ProjectionDefinition(name="orders", entry=COUNTER, indexes=[
        ViewIndex(
            name="byCustomer",
            partition_key=IndexKey(field="customer", type=IndexKeyType.STRING),
            sort_key=IndexKey(field="placedAt", type=IndexKeyType.NUMBER),
        ),
        ViewIndex(name="byStatus", partition_key=IndexKey(field="status", type=IndexKeyType.STRING)),
    ]),
])
app.synth()
