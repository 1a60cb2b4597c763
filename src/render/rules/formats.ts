import type { PrivateDnsPlan } from '../../catalog/private-dns.js';
import type { RulesPlan } from '../../remedies/plan.js';

/** Settings an admin can fill in so the generated commands run as they are; left as shell variables otherwise. */
export interface RulesRenderOptions {
  readonly resourceGroup?: string;
  readonly firewallPolicy?: string;
  readonly firewall?: string;
  readonly nsg?: string;
  /** Source addresses of the workspace's subnets (CIDR prefixes). */
  readonly source?: readonly string[];
  /** Set by `--changes-since`: the plan holds only what to add to a firewall built from an earlier list. */
  readonly additions?: Additions;
  /** `--dry-run`: the scripts print their writes instead of making them unless DRY_RUN=0 is set. */
  readonly dryRun?: boolean;
  /** The zones, forwarders and online endpoint records of the workspace private endpoint, for `-o dns`. */
  readonly privateDns?: PrivateDnsPlan | null;
}

/**
 * What the command formats need to add to a firewall built from an earlier revision's list:
 * everything they create is named after the newer revision, and NSG rules are placed after the
 * earlier list's, so running them replaces no group, collection or rule that list made.
 */
export interface Additions {
  readonly since: string;
  readonly revision: string;
  readonly earlier: RulesPlan;
}
