import { Duration } from 'aws-cdk-lib';

/**
 * Memory and timeout of one of the library's own functions (the writer, the reader or the
 * publisher). What is not set keeps the library's default for that function.
 */
export interface FunctionTuning {
  /**
   * Memory in MiB, from 128 to 10240. Lambda gives CPU in proportion to memory, so more memory
   * also means faster JSON handling and DynamoDB calls.
   * @default 256
   */
  readonly memorySize?: number;

  /**
   * How long one invocation may run, from 1 second to 15 minutes. The REST API waits at most 29
   * seconds for the writer and the reader, so a longer timeout there only keeps the function
   * running after the client got a 504.
   * @default - writer 10 s, reader 15 s (a `minVersion` read waits up to 10 s), publisher 30 s
   */
  readonly timeout?: Duration;
}
