import type { StopSignal } from './exit-codes.js';

/** An inbound service-tag rule of the catalog: who must be able to call in, on which ports. */
export interface InboundRequirement {
  readonly serviceTag: string;
  readonly ports: readonly number[];
  /** "needed only when ..." text, or null when always needed. */
  readonly when: string | null;
}

export interface PortWatch {
  readonly port: number;
  /** False when the port could not be opened, e.g. the node agent already holds it. */
  readonly listening: boolean;
  readonly error: string | null;
  readonly connections: Array<{ readonly from: string; readonly at: string }>;
}

/** What `aml-netcheck listen` saw: the ports it watched, who connected, and the inbound rules to advise. */
export interface ListenReport {
  /** The revision of the article whose inbound rules the advice names. */
  readonly revision: string | null;
  readonly inbound: readonly InboundRequirement[];
  readonly address: string;
  readonly durationMs: number;
  readonly ports: readonly PortWatch[];
  /** The signal that ended the watch early, or null when it lasted its --duration. */
  readonly stoppedBy: StopSignal | null;
  /** 0 every port saw a connection, 1 one did not; 130 / 143 when a signal cut the watch short. */
  readonly exitCode: 0 | 1 | 130 | 143;
}
