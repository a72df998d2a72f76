"""The example app in Python: customers, with a "default" view and an order "summary" view.

The projections are JavaScript files beside the app; the construct bundles them at synth time
(Node is needed, as for any jsii library; no bundler is).
"""
import os

from aws_cdk import App, CfnOutput, Stack
from cdk_event_sourced_api import EventSourcedApi, ProjectionDefinition

HERE = os.path.dirname(os.path.abspath(__file__))


def build(app: App) -> Stack:
    stack = Stack(app, "CustomersApi")
    api = EventSourcedApi(
        stack,
        "Customers",
        projections=[
            ProjectionDefinition(name="default", entry=os.path.join(HERE, "projections", "default.js")),
            ProjectionDefinition(name="summary", entry=os.path.join(HERE, "projections", "summary.js")),
        ],
    )
    # The URL is None when the API is turned off (api=RestApiOptions(enabled=False)).
    if api.url is not None:
        CfnOutput(stack, "ApiUrl", value=api.url)
    return stack


if __name__ == "__main__":
    app = App()
    build(app)
    app.synth()
