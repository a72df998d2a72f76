package com.example;

import io.github.cdkeventsourcedapi.EventSourcedApi;
import io.github.cdkeventsourcedapi.ProjectionDefinition;
import java.nio.file.Path;
import java.util.List;
import software.amazon.awscdk.App;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Stack;

/** The example app in Java: customers, with a "default" view and an order "summary" view. */
public final class CustomersApp {
    private CustomersApp() {
    }

    public static Stack build(final App app) {
        Stack stack = new Stack(app, "CustomersApi");
        Path projections = Path.of("projections").toAbsolutePath();
        EventSourcedApi api = EventSourcedApi.Builder.create(stack, "Customers")
                .projections(List.of(
                        ProjectionDefinition.builder().name("default").entry(projections.resolve("default.js").toString()).build(),
                        ProjectionDefinition.builder().name("summary").entry(projections.resolve("summary.js").toString()).build()))
                .build();
        CfnOutput.Builder.create(stack, "ApiUrl").value(api.getUrl()).build();
        return stack;
    }

    public static void main(final String[] args) {
        App app = new App();
        build(app);
        app.synth();
    }
}
