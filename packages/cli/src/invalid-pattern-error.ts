/** A filter pattern AWS refuses when the filter is created; the message is event-ruler's reason. */
export class InvalidPatternError extends Error {
  constructor(public readonly reason: string) {
    super(reason);
    this.name = 'InvalidPatternError';
  }
}
