package oracle;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.velocity.VelocityContext;
import org.apache.velocity.app.VelocityEngine;

/**
 * Renders API Gateway mapping templates with Apache Velocity 1.7, one JSON line in, one JSON line out:
 * in {"id", "template", "request": {"body", "params": {path, querystring, header}, "context": {...}}},
 * out {"id", "output", "status", "headers"} or {"id", "error"}. $input, $util and $context are the
 * stand-ins of this package, written from AWS's mapping template reference.
 */
public final class VelocityOracle {
  private static final ObjectMapper JSON = new ObjectMapper();

  private VelocityOracle() {}

  public static void main(String[] args) throws Exception {
    // Lone surrogates and every non-ASCII character travel as \\u escapes: the output stays valid UTF-8.
    JSON.getFactory().configure(JsonGenerator.Feature.ESCAPE_NON_ASCII, true);
    VelocityEngine engine = new VelocityEngine();
    // Velocity 1.7's defaults (not strict, #set of null keeps the old value), without its log file.
    engine.setProperty("runtime.log.logsystem.class", "org.apache.velocity.runtime.log.NullLogChute");
    engine.init();

    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), false);
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isEmpty()) continue;
      out.println(JSON.writeValueAsString(answer(engine, line)));
      out.flush();
    }
  }

  private static ObjectNode answer(VelocityEngine engine, String line) {
    ObjectNode answer = JSON.createObjectNode();
    try {
      JsonNode message = JSON.readTree(line);
      answer.set("id", message.get("id"));
      JsonNode request = message.path("request");
      Context context = new Context(request.path("context"));
      VelocityContext variables = new VelocityContext();
      variables.put("input", new Input(request.path("body").asText(""), request.path("params")));
      variables.put("util", new Util());
      variables.put("context", context.variable());
      StringWriter output = new StringWriter();
      try {
        engine.evaluate(variables, output, "template", message.path("template").asText());
        context.check();
        answer.put("output", output.toString());
        if (context.status() != null) answer.put("status", context.status());
        ObjectNode headers = answer.putObject("headers");
        for (Map.Entry<String, String> header : context.headers().entrySet()) headers.put(header.getKey(), header.getValue());
      } catch (Exception e) {
        answer.put("error", e.getClass().getSimpleName() + ": " + e.getMessage());
      }
    } catch (Exception e) {
      answer.put("error", "bad oracle request: " + e);
    }
    return answer;
  }

  /** JSON text to plain Java values (Map, List, String, Long/Double, Boolean, null). */
  static Object plain(JsonNode node) {
    return JSON.convertValue(node, Object.class);
  }
}
