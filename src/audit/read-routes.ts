import { isObject, quoteJson, type JsonObject } from '../io/json-input.js';
import { formatKeyPath, InputError } from '../model/errors.js';
import { ipv4Span, isIpv6 } from './addresses.js';
import type { Path, ReaderTools } from './read-tools.js';
import { EFFECTIVE_ROUTES, SYSTEM_ROUTES } from './routes.js';
import { NEXT_HOP_TYPES, type ConfigKind, type NextHopType, type Route, type RouteSource, type RouteTable } from './types.js';

/**
 * The readers of routes for `audit --config`: a route table as `az network route-table show` prints
 * it (routeTable.json, RouteTable and Route: properties flattened) or an ARM template holds it
 * (Microsoft.Network/routeTables with routes nested, or Microsoft.Network/routeTables/routes on
 * their own), and effective routes as `az network nic show-effective-route-table` prints them
 * (networkInterface.json, EffectiveRouteListResult and EffectiveRoute). Microsoft.Network 2024-05-01.
 */

export const ROUTE_TABLE_TYPE = 'microsoft.network/routetables';
export const ROUTE_TYPE = 'microsoft.network/routetables/routes';

// RouteTablePropertiesFormat: the subnets are where the table applies, resourceGuid names it: neither changes a route.
const TABLE_KEYS = ['routes', 'subnets', 'disableBgpRoutePropagation', 'resourceGuid'];
// RoutePropertiesFormat: hasBgpOverride decides between this route and BGP routes, which a route table export holds none of.
const ROUTE_KEYS = ['addressPrefix', 'nextHopType', 'nextHopIpAddress', 'hasBgpOverride'];
const EFFECTIVE_ROUTE_KEYS = ['name', 'disableBgpRoutePropagation', 'source', 'state', 'addressPrefix', 'nextHopIpAddress', 'nextHopType'];
/** RouteNextHopType: what a route table may hold; effective routes also print Azure's own hop types. */
const TABLE_HOPS: readonly NextHopType[] = ['VirtualNetworkGateway', 'VnetLocal', 'Internet', 'VirtualAppliance', 'None'];
const SOURCES: readonly RouteSource[] = ['User', 'VirtualNetworkGateway', 'Default', 'Unknown'];

/** UDR ("Custom routes"): a CIDR prefix, IPv4 or IPv6, or a service tag by name. */
function prefixProblem(item: string): string | null {
  if (/^[A-Za-z][A-Za-z0-9.]*$/.test(item)) return null;
  return (item.includes('/') && ipv4Span(item) !== null && !item.includes('-')) || (isIpv6(item) && item.includes('/')) ? null : 'expected a CIDR prefix (10.0.0.0/16) or a service tag';
}

function addressProblem(item: string): string | null {
  return (ipv4Span(item) !== null && !item.includes('/') && !item.includes('-')) || (isIpv6(item) && !item.includes('/')) ? null : 'expected an IP address';
}

export class RouteReading {
  private readonly tables: Array<{ name: string; effective: boolean; disableBgpRoutePropagation: boolean; routes: Route[]; where: string }> = [];

  constructor(private readonly reader: ReaderTools) {}

  readKind(document: unknown, kind: Extract<ConfigKind, 'route-table' | 'effective-routes'>): void {
    if (kind === 'effective-routes') return this.readEffective(document);
    const items = Array.isArray(document)
      ? document.map((node, index) => ({ node, path: [index] as Path }))
      : isObject(document) && Array.isArray(document['value'])
        ? document['value'].map((node, index) => ({ node, path: ['value', index] as Path }))
        : [{ node: document, path: [] as Path }];
    for (const { node, path } of items) {
      if (!isObject(node)) this.reader.fail(path, `expected a route table (an object); got ${quoteJson(node)}`);
      this.readTable(node, path);
    }
  }

  /** `az network route-table show` (flattened) or the ARM resource (properties nested). */
  readTable(node: JsonObject, path: Path): void {
    const name = this.reader.string(node, 'name', path, true) as string;
    const { props, at } = this.reader.propertiesOf(node, path);
    this.reader.checkKeys(node, path, TABLE_KEYS);
    if (props !== node) this.reader.checkKeys(props, at, TABLE_KEYS);
    const list = this.reader.value(props, 'routes', at);
    if (list !== undefined && list !== null && !Array.isArray(list)) this.reader.fail([...at, 'routes'], `expected a list of routes; got ${quoteJson(list)}`);
    const routes = (list ?? []).map((route, index) => this.readRoute(route, [...at, 'routes', index]));
    this.tables.push({ name, effective: false, disableBgpRoutePropagation: this.flag(props, at), routes, where: `${this.reader.shown}: ${path.length === 0 ? 'route table' : formatKeyPath(path)}` });
  }

  /** A template's `Microsoft.Network/routeTables/routes`, named `TABLE/ROUTE`: added to its table. */
  readChildRoute(node: JsonObject, path: Path): void {
    const full = this.reader.string(node, 'name', path, true) as string;
    const slash = full.indexOf('/');
    if (slash <= 0 || slash === full.length - 1) this.reader.fail([...path, 'name'], `expected TABLE/ROUTE, the name of a route in its route table; got ${quoteJson(full)}`);
    const tableName = full.slice(0, slash);
    const route = this.readRoute({ ...node, name: full.slice(slash + 1) }, path);
    const table = this.tables.find((t) => !t.effective && t.name.toLowerCase() === tableName.toLowerCase());
    if (table !== undefined) table.routes.push(route);
    else this.tables.push({ name: tableName, effective: false, disableBgpRoutePropagation: false, routes: [route], where: `${this.reader.shown}: ${formatKeyPath(path)}` });
  }

  private flag(node: JsonObject, path: Path): boolean {
    const value = this.reader.value(node, 'disableBgpRoutePropagation', path);
    if (value !== undefined && value !== null && typeof value !== 'boolean') this.reader.fail([...path, 'disableBgpRoutePropagation'], `expected true or false; got ${quoteJson(value)}`);
    return value === true;
  }

  private hop(node: JsonObject, path: Path, allowed: readonly NextHopType[]): NextHopType {
    return this.reader.oneOf(node, 'nextHopType', path, allowed);
  }

  /** RoutePropertiesFormat: nextHopIpAddress only, and always, with VirtualAppliance. */
  private readRoute(node: unknown, path: Path): Route {
    if (!isObject(node)) this.reader.fail(path, `expected a route (an object); got ${quoteJson(node)}`);
    const name = this.reader.string(node, 'name', path, true) as string;
    const { props, at } = this.reader.propertiesOf(node, path);
    this.reader.checkKeys(node, path, ROUTE_KEYS);
    if (props !== node) this.reader.checkKeys(props, at, ROUTE_KEYS);
    const addressPrefix = this.reader.string(props, 'addressPrefix', at, true) as string;
    const problem = prefixProblem(addressPrefix);
    if (problem !== null) this.reader.fail([...at, 'addressPrefix'], `${problem}; got ${quoteJson(addressPrefix)}`);
    const nextHopType = this.hop(props, at, TABLE_HOPS);
    const nextHopIpAddress = this.reader.string(props, 'nextHopIpAddress', at, false);
    if (nextHopIpAddress === null && nextHopType === 'VirtualAppliance') this.reader.fail([...at, 'nextHopIpAddress'], 'expected the IP address of the virtual appliance (nextHopType VirtualAppliance); got nothing');
    if (nextHopIpAddress !== null) {
      if (nextHopType !== 'VirtualAppliance') this.reader.fail([...at, 'nextHopIpAddress'], `is allowed only with nextHopType VirtualAppliance; got ${quoteJson(nextHopIpAddress)} with ${nextHopType}`);
      const bad = addressProblem(nextHopIpAddress);
      if (bad !== null) this.reader.fail([...at, 'nextHopIpAddress'], `${bad}; got ${quoteJson(nextHopIpAddress)}`);
    }
    return { name, addressPrefix, nextHopType, nextHopIpAddress, source: 'User', added: false };
  }

  /** EffectiveRouteListResult: `{value: [...]}` as az prints it, or the bare list. Invalid routes are not used: left out. */
  private readEffective(document: unknown): void {
    const list = isObject(document) && Array.isArray(document['value']) ? document['value'] : Array.isArray(document) ? document : null;
    if (list === null) this.reader.fail([], `expected effective routes as \`az network nic show-effective-route-table\` prints them: an object with value[]; got ${quoteJson(document)}`);
    const base: Path = Array.isArray(document) ? [] : ['value'];
    if (isObject(document)) this.reader.checkKeys(document, [], ['value', 'nextLink']);
    const routes: Route[] = [];
    let disabled = false;
    list.forEach((node, index) => {
      const path = [...base, index];
      if (!isObject(node)) this.reader.fail(path, `expected an effective route (an object); got ${quoteJson(node)}`);
      this.reader.checkKeys(node, path, EFFECTIVE_ROUTE_KEYS);
      const source = this.reader.oneOf(node, 'source', path, SOURCES);
      const state = this.reader.oneOf(node, 'state', path, ['Active', 'Invalid'] as const);
      const nextHopType = this.hop(node, path, NEXT_HOP_TYPES);
      const prefixes = this.reader.strings(node, 'addressPrefix', path, prefixProblem);
      if (prefixes.length === 0) this.reader.fail([...path, 'addressPrefix'], 'expected at least one address prefix; got none');
      const addresses = this.reader.strings(node, 'nextHopIpAddress', path, addressProblem);
      if (nextHopType === 'VirtualAppliance' && addresses.length === 0) this.reader.fail([...path, 'nextHopIpAddress'], 'expected the address of the virtual appliance; got none');
      disabled ||= this.flag(node, path);
      if (state === 'Invalid') return;
      const name = this.reader.string(node, 'name', path, false);
      // Several next hops for one prefix: Azure spreads flows over them (equal-cost routes).
      const hops = nextHopType === 'VirtualAppliance' ? addresses : [null];
      for (const addressPrefix of prefixes) for (const nextHopIpAddress of hops) routes.push({ name, addressPrefix, nextHopType, nextHopIpAddress, source, added: false });
    });
    this.tables.push({ name: EFFECTIVE_ROUTES, effective: true, disableBgpRoutePropagation: disabled, routes, where: `${this.reader.shown}: effective routes` });
  }

  /** The tables read, each route table with the system routes Azure adds to every subnet (routes.ts). */
  finish(): RouteTable[] {
    return this.tables.map((table) => {
      const added = table.effective ? [] : SYSTEM_ROUTES;
      return { ...table, routes: [...table.routes, ...added], systemRoutesAdded: added.map((r) => `${r.addressPrefix} → ${r.nextHopType}`) };
    });
  }
}

/** Which route kinds the JSON's shape says it is (no ARM type). */
export function routeKindsOf(document: JsonObject, props: JsonObject): ConfigKind[] {
  if ('nextHopType' in document && 'source' in document && Array.isArray(document['addressPrefix'])) return ['effective-routes'];
  if ('routes' in props || 'disableBgpRoutePropagation' in props) return ['route-table'];
  return [];
}

/** One route table or effective route list: the one on the workspace's subnet decides its traffic. */
export function checkOneRouteTable(tables: readonly RouteTable[]): void {
  const [first, second] = tables;
  if (first === undefined || second === undefined) return;
  throw new InputError(second.where, `is a second route table (the first: ${first.where}); audit reads the routes of the workspace's subnet: give its route table (\`az network route-table show\`) or a NIC's effective routes, once`);
}
