package oracle;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * $context: the request's context variables as given (requestId, requestTimeEpoch as a Long,
 * error.messageString, error.validationErrorString...), and responseOverride, whose status and
 * header.* "may only be applied to each parameter once" (overrides are final: a second one is a
 * 5XX on AWS, an error here).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-override-request-response-parameters.html
 */
final class Context {
  private final Map<String, Object> variable = new HashMap<>();
  private final List<String> problems = new ArrayList<>();
  private final OnceMap override = new OnceMap("$context.responseOverride.");
  private final OnceMap header = new OnceMap("$context.responseOverride.header.");

  Context(JsonNode given) {
    given.fields().forEachRemaining((e) -> variable.put(e.getKey(), VelocityOracle.plain(e.getValue())));
    override.putInitial("header", header);
    variable.put("responseOverride", override);
  }

  Map<String, Object> variable() {
    return variable;
  }

  void check() {
    if (!problems.isEmpty()) throw new IllegalStateException(String.join("; ", problems) + " (overrides are final)");
  }

  Integer status() {
    Object status = override.get("status");
    return status == null ? null : Integer.valueOf(String.valueOf(status));
  }

  Map<String, String> headers() {
    Map<String, String> headers = new LinkedHashMap<>();
    header.forEach((name, value) -> headers.put(name, String.valueOf(value)));
    return headers;
  }

  private final class OnceMap extends LinkedHashMap<String, Object> {
    private final String prefix;

    OnceMap(String prefix) {
      this.prefix = prefix;
    }

    void putInitial(String key, Object value) {
      super.put(key, value);
    }

    @Override
    public Object put(String key, Object value) {
      if (containsKey(key)) problems.add(prefix + key + " was set twice");
      return super.put(key, value);
    }
  }
}
