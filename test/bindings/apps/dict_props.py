"""Props written as dicts instead of struct classes, from Python: what reaches the construct. The
bindings test (test/bindings/bindings.test.ts) reads the JSON this prints, one outcome per case."""
import json
import sys

from aws_cdk import App, Stack
from cdk_event_sourced_api import EventSourcedApi, ProjectionDefinition

COUNTER = sys.argv[1]


def outcome(**props):
    """The view's batch size (or that it synthesized) when the app synthesizes, else the error's first line."""
    app = App()
    try:
        EventSourcedApi(Stack(app, "DictProps"), "Api", **props)
        template = app.synth().get_stack_by_name("DictProps").template
        views = [r["Properties"] for r in template["Resources"].values()
                 if r["Type"] == "AWS::Lambda::EventSourceMapping" and "Projectiona" in json.dumps(r["Properties"]["EventSourceArn"])]
        return {"batchSize": views[0]["BatchSize"]} if views else {"synthesized": True}
    except Exception as error:  # noqa: BLE001 - the outcome is the error's message
        return {"error": type(error).__name__, "message": str(error).splitlines()[0]}


print(json.dumps({
    "struct_out_of_range": outcome(projections=[ProjectionDefinition(name="a", entry=COUNTER, batch_size=99)]),
    "dict_camel": outcome(projections=[{"name": "a", "entry": COUNTER, "batchSize": 3}]),
    "dict_camel_out_of_range": outcome(projections=[{"name": "a", "entry": COUNTER, "batchSize": 99}]),
    "dict_snake": outcome(projections=[{"name": "a", "entry": COUNTER, "batch_size": 3}]),
    "api_dict_snake": outcome(api={"stage_name": "v1"}),
    "api_dict_camel": outcome(api={"stageName": "v1"}),
}))
