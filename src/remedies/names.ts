/**
 * The names and priority ranges of what aml-netcheck adds to a firewall policy or an NSG, kept in
 * one place so that the rules renderers (`rules -o az|bicep|nsg`) and audit's closing change agree.
 */

/** The allow-list's rule collection group and its collections. */
export const RULE_COLLECTION_GROUP = { name: 'aml-netcheck', priority: 500 } as const;
export const APPLICATION_COLLECTION = { name: 'aml-application-rules', priority: 200 } as const;
export const NETWORK_COLLECTION = { name: 'aml-network-rules', priority: 100 } as const;

/** Where the scripts look for a free priority when the one they prefer is taken (the service's range). */
export const FIREWALL_PRIORITY_RANGE = { first: 100, step: 10, last: 65000 } as const;

/** SecurityRulePropertiesFormat.priority: 100 to 4096 for rules of the admin's (Azure's own sit above). */
export const NSG_PRIORITY_RANGE = { first: 100, step: 10, last: 4096 } as const;
