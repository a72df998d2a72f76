/**
 * The DynamoDB type of an index key: how its values are compared, and what a query's key is
 * parsed as.
 */
export enum IndexKeyType {
  /** Compared by their UTF-8 bytes. A record whose field is not a string fails its event. */
  STRING = 'STRING',
  /** Compared numerically. A record whose field is not a number fails its event. */
  NUMBER = 'NUMBER',
}

/** One key of a view index: a top-level field of the view's records, and its type. */
export interface IndexKey {
  /**
   * The record field (1-255 characters). Not `version` nor the API's `streamIdField`: the
   * reader adds those to every record.
   */
  readonly field: string;

  /** The field's DynamoDB type. One field has one type across all of a view's indexes. */
  readonly type: IndexKeyType;
}

/**
 * An index of a view: `GET /{view}?index=<name>&key=<value>` answers the records whose partition
 * key field has that value, in the order of the sort key field, a page at a time, with one
 * DynamoDB Query per page (never a scan). Each index is a global secondary index of the view
 * table: eventually consistent, and sparse (a record without the key fields, or with one that is
 * null or "", is not in the index).
 */
export interface ViewIndex {
  /**
   * The index's name, as `?index=` takes it: 1-32 letters and digits, starting with a lowercase
   * letter (e.g. `byCustomer`). Renaming an index builds a new one.
   */
  readonly name: string;

  /** The field a query names with `key=`: the records whose field equals it. */
  readonly partitionKey: IndexKey;

  /**
   * The field the records of one key are sorted by, and that `from=`, `to=`, `prefix=` and
   * `order=desc` apply to.
   * @default - no sort key: the records of one key come in no documented order
   */
  readonly sortKey?: IndexKey;
}
