import { OPERATOR_COMMANDS } from '../../../../src/contract';

/**
 * The bin's operator commands: the contract's, which work on a deployed stack as on a local
 * runtime, and wait-idle, which only a local runtime answers (so the CLI's alone).
 */
export const COMMANDS = [...OPERATOR_COMMANDS, 'wait-idle'] as const;

export type OperatorCommand = typeof COMMANDS[number];
