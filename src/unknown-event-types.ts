/**
 * What the writer does with an event type that has no schema in `eventSchemas`.
 */
export enum UnknownEventTypes {
  /** Store it unchecked: schemas are for the types you list. */
  ALLOW = 'ALLOW',
  /** Answer 400, naming the types that have a schema: only listed types are stored. */
  REJECT = 'REJECT',
}
