package oracle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.Option;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * $input as API Gateway documents it: "$input.body: the raw request payload as a string";
 * "$input.json(x): evaluates a JSONPath expression and returns the results as a JSON string";
 * "$input.path(x): ... returns a JSON object representation of the result ... so that you can
 * access and manipulate elements of the payload natively in VTL"; "$input.params(): a map of all
 * the request parameters"; "$input.params(x): the value of a method request parameter from the
 * path, query string, or header value (searched in that order)".
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
 * JSONPath is Jayway's (the syntax the page links to), over json-smart, its default provider.
 */
public final class Input {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Configuration PATHS = Configuration.defaultConfiguration().addOptions(Option.SUPPRESS_EXCEPTIONS);

  private final String body;
  private final Map<String, Map<String, String>> params = new LinkedHashMap<>();
  private Object document;

  Input(String body, JsonNode params) {
    this.body = body;
    for (String where : new String[] {"path", "querystring", "header"}) {
      Map<String, String> values = new LinkedHashMap<>();
      params.path(where).fields().forEachRemaining((e) -> values.put(e.getKey(), e.getValue().asText()));
      this.params.put(where, values);
    }
  }

  public String getBody() {
    return body;
  }

  public Object path(String expression) {
    return JsonPath.using(PATHS).parse(document()).read(expression);
  }

  public String json(String expression) throws Exception {
    Object value = path(expression);
    return value == null ? null : JSON.writeValueAsString(value);
  }

  public Map<String, Map<String, String>> params() {
    return params;
  }

  public String params(String name) {
    for (Map.Entry<String, Map<String, String>> where : params.entrySet()) {
      for (Map.Entry<String, String> param : where.getValue().entrySet()) {
        boolean header = where.getKey().equals("header");
        if (param.getKey().equals(name) || (header && param.getKey().equalsIgnoreCase(name))) return param.getValue();
      }
    }
    return "";
  }

  private Object document() {
    if (document == null) document = Configuration.defaultConfiguration().jsonProvider().parse(body);
    return document;
  }
}
