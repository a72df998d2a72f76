/**
 * API Gateway's throttling: a token bucket of `burstLimit` tokens refilled at `rateLimit` per
 * second; a request finds a token or is answered 429
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html).
 */
export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(private readonly rateLimit: number, private readonly burstLimit: number, private readonly now: () => number = Date.now) {
    this.tokens = burstLimit;
    this.refilledAt = now();
  }

  /** Takes a token if there is one. */
  public take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.burstLimit, this.tokens + ((now - this.refilledAt) / 1000) * this.rateLimit);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
