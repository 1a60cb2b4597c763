/** The kernel's codes for a destination with no route, the same for a TCP connect and a connected UDP socket. */
export const UNREACHABLE_CODES: ReadonlySet<string> = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'EHOSTDOWN', 'ENETDOWN']);
