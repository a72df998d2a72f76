import type AjvDraft04 from 'ajv-draft-04';

/**
 * API Gateway's request body validation: the method's model, a JSON Schema draft 4, checked
 * before the integration runs. AWS validates with its own draft-4 implementation; this uses Ajv's,
 * with patterns as ECMA-262 regular expressions over UTF-16 code units (no `u` flag), as the
 * draft says. A body that is not JSON fails validation, as on AWS.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html
 */
export class RequestBodyValidator {
  private readonly validate: (data: unknown) => boolean;
  private readonly errorsOf: () => string;

  constructor(schema: Record<string, unknown>) {
    // Loaded only for apps with a validated integration (packages.ts checks it is there).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Ajv = (require('ajv-draft-04') as { default: typeof AjvDraft04 }).default;
    const ajv = new Ajv({ strict: false, unicodeRegExp: false, allErrors: false });
    const { $schema: _draft, ...rest } = schema;
    const validate = ajv.compile(rest);
    this.validate = (data) => validate(data) as boolean;
    this.errorsOf = () => (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`).join('; ');
  }

  /** Undefined when the body passes; else what is wrong (API Gateway's `$context.error.validationErrorString`). */
  public problem(body: string): string | undefined {
    let data: unknown;
    try {
      data = JSON.parse(body);
    } catch {
      return '[Invalid JSON]';
    }
    return this.validate(data) ? undefined : `[${this.errorsOf()}]`;
  }
}
