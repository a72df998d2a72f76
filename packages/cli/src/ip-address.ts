/**
 * IP addresses as event-ruler reads them for `cidr` patterns and for exact values that are
 * addresses: a dotted quad (decimal parts, leading zeros allowed) or IPv6 in hex groups (an
 * IPv4-mapped IPv6 address reads as its IPv4 address, as Java's InetAddress reads it).
 */
import { InvalidPatternError } from './invalid-pattern-error';

/** event-ruler's tests of what looks like an address (Constants.IPv4_REGEX / IPv6_REGEX). */
const LOOKS_IPV4 = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const LOOKS_IPV6 = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;

export class IpAddress {
  constructor(public readonly bytes: number[]) {}

  public equals(other: IpAddress): boolean {
    return compareBytes(this.bytes, other.bytes) === 0;
  }
}

function compareBytes(a: number[], b: number[]): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.').map(Number);
  return parts.every((p) => p <= 255) ? parts : undefined;
}

function parseIpv6(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string) => (half === '' ? [] : half.split(':'));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (![...head, ...tail].every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const words = [...head, ...Array(halves.length === 2 ? missing : 0).fill('0'), ...tail].map((g) => parseInt(g, 16));
  const bytes = words.flatMap((w) => [Math.floor(w / 256), w % 256]);
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return mapped ? bytes.slice(12) : bytes;
}

/** The address a string is, or undefined when it is none. */
export function ipAddress(text: string | undefined): IpAddress | undefined {
  if (text === undefined) return undefined;
  const bytes = LOOKS_IPV4.test(text) ? parseIpv4(text) : LOOKS_IPV6.test(text) ? parseIpv6(text) : undefined;
  return bytes ? new IpAddress(bytes) : undefined;
}

export interface IpRange {
  includes(address: IpAddress | undefined): boolean;
}

/** A `cidr` operand, or InvalidPatternError with event-ruler's reason (CIDR.cidr). */
export function ipRange(cidr: string): IpRange {
  // Java's String.split drops trailing empty parts.
  const parts = cidr.split('/');
  while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  if (parts.length !== 2) throw new InvalidPatternError("Malformed CIDR, one '/' required");
  const maskText = parts[1];
  if (!/^[+-]?[0-9]+$/.test(maskText) || Math.abs(Number(maskText)) > 2 ** 31 - 1 + (maskText.startsWith('-') ? 1 : 0)) {
    throw new InvalidPatternError('Malformed CIDR, mask bits must be an integer');
  }
  const maskBits = Number(maskText);
  if (maskBits < 0) throw new InvalidPatternError('Malformed CIDR, mask bits must not be negative');
  const looksLikeAddress = LOOKS_IPV4.test(parts[0]) || LOOKS_IPV6.test(parts[0]);
  if (!looksLikeAddress) throw new InvalidPatternError(`Nonstandard IP address: ${parts[0]}`);
  const base = ipAddress(parts[0]);
  if (!base) throw new InvalidPatternError(`Invalid IP address: ${parts[0]}`);
  const bits = base.bytes.length * 8;
  if (maskBits > bits - 1) throw new InvalidPatternError(`IPv${bits === 32 ? 4 : 6} mask bits must be < ${bits}`);
  // Each byte keeps the bits the mask fixes on it; the others run over their whole block.
  const block = (i: number) => 2 ** (8 - Math.min(8, Math.max(0, maskBits - i * 8)));
  const low = base.bytes.map((b, i) => b - (b % block(i)));
  const high = low.map((b, i) => b + block(i) - 1);
  return {
    includes: (address) => address !== undefined && address.bytes.length === low.length
      && compareBytes(address.bytes, low) >= 0 && compareBytes(address.bytes, high) <= 0,
  };
}
