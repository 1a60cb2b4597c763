import { randomInt } from 'node:crypto';

/** 127.1.0.0 to 127.99.255.0: below the demo's /16s (127.100 and up), clear of the host's 127.0.0.0/24. */
const FIRST_OCTET = 1;
const BLOCKS = 99 * 256;
const handedOut = new Set<number>();

/**
 * A /24 of 127/8 for one simulated network, as `127.A.B` (its hosts are `.1`, `.2` ...). Their
 * catalog ports are fixed (18443, 18445 ...), so two test files running side by side, the same
 * file run from two work trees, or a demo, must never share an address: each call draws a block
 * at random (never one this process already has), where a fixed /24 per file collided as soon
 * as two files picked neighbouring numbers.
 */
export function loopbackNet(): string {
  let block: number;
  do block = randomInt(BLOCKS);
  while (handedOut.has(block));
  handedOut.add(block);
  return `127.${FIRST_OCTET + Math.floor(block / 256)}.${block % 256}`;
}
