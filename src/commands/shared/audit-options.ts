import { Option } from 'commander';
import { CONFIG_KINDS } from '../../audit/types.js';
import { collect } from './repeatable.js';

// Only the flags live here, shared by `audit`, `check` and `bundle`: the specs import this for
// every command, so it must not pull in the readers.

/** The raw values of the audit's input flags. */
export interface AuditInputValues {
  config?: string[];
  configKind?: string[];
  source?: string[];
}

/** `--config`, `--config-kind` and `--source`: the admin's exported rules and the workspace's subnets. */
export function auditInputOptions(): Option[] {
  return [
    new Option(
      '--config <file>',
      "an exported Azure Firewall Policy, its rule collection groups, an ARM template holding them, the service tags, an NSG or effective NSG rules, an Azure Firewall's classic rules, a managed network's outbound rules, a route table or effective routes (repeatable; - for stdin)",
    ).argParser(collect),
    new Option('--config-kind <kind=file>', `the kind of a --config file whose JSON could be two: ${CONFIG_KINDS.join(', ')} (repeatable)`).argParser(collect),
    new Option('--source <prefix>', "an IPv4 prefix of the workspace's subnets, matched against the rules' sources (repeatable)").argParser(collect),
  ];
}
