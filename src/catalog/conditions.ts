import type { WorkspaceFacts } from '../model/facts.js';

/**
 * Conditions the article puts on some requirements. Each is a workspace fact the
 * user states with a flag; an entry whose condition does not hold is reported as
 * skipped, naming that flag, rather than dropped.
 */
export interface ConditionSpec {
  readonly id: string;
  readonly flag: string;
  /** Completes "needed only when ...". */
  readonly when: string;
  holds(facts: WorkspaceFacts): boolean;
}

const SPECS: ConditionSpec[] = [
  { id: 'private-endpoint', flag: '--private-endpoint', when: 'the workspace has a private endpoint', holds: (f) => f.privateEndpoint },
  { id: 'hbi-workspace', flag: '--hbi', when: 'the workspace was created with hbi_workspace (high business impact)', holds: (f) => f.hbi },
  { id: 'custom-images', flag: '--custom-images', when: 'you use custom Docker images, even small changes to Microsoft base images', holds: (f) => f.customImages },
  {
    id: 'user-managed-dependencies',
    flag: '--user-managed-deps',
    when: "you use Microsoft's default Docker images with user-managed dependencies",
    holds: (f) => f.userManagedDependencies,
  },
  { id: 'custom-package-index', flag: '--custom-package-index', when: 'the default pip index is overridden', holds: (f) => f.customPackageIndex },
];

export const CONDITIONS: ReadonlyMap<string, ConditionSpec> = new Map(SPECS.map((s) => [s.id, s]));
