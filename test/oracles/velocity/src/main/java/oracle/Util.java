package oracle;

import com.jayway.jsonpath.Configuration;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.apache.commons.lang.StringEscapeUtils;

/**
 * $util as API Gateway documents it: "escapeJavaScript(): escapes the characters in a string using
 * JavaScript string rules" (commons-lang's StringEscapeUtils, whose `\'` the page's
 * `.replaceAll("\\'","'")` undoes), "parseJson(): takes 'stringified' JSON and returns an object
 * representation", "urlEncode()/urlDecode(): application/x-www-form-urlencoded",
 * "base64Encode()/base64Decode()".
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
 */
public final class Util {
  public String escapeJavaScript(String text) {
    return StringEscapeUtils.escapeJavaScript(text);
  }

  public Object parseJson(String text) {
    return Configuration.defaultConfiguration().jsonProvider().parse(text);
  }

  public String urlEncode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  public String urlDecode(String text) {
    return URLDecoder.decode(text, StandardCharsets.UTF_8);
  }

  public String base64Encode(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  public String base64Decode(String text) {
    return new String(Base64.getDecoder().decode(text), StandardCharsets.UTF_8);
  }
}
