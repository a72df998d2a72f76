/**
 * How `POST /` stores events.
 */
export enum WritePath {
  /**
   * The writer Lambda: every check of the HTTP contract, a 201 with the stored event, versions
   * assigned when `expectedVersion` is left out, event schemas.
   */
  LAMBDA = 'LAMBDA',
  /**
   * No Lambda: an API Gateway AWS integration runs the same DynamoDB transaction (event and
   * eventId marker) from mapping templates. Cheaper and faster, but every request needs
   * `expectedVersion`, the event's data is stored as sent without the writer's checks, and a 201
   * does not echo the event. REST API only.
   */
  DIRECT = 'DIRECT',
}
