/**
 * Where a fleet's reports live in Kubernetes: `k8s-manifest` labels each report ConfigMap,
 * `check --k8s-configmap` writes the report under REPORT_KEY, and `merge` reads the ConfigMaps
 * back (`kubectl get configmap -o json`). A fact about the report's format, not about talking to
 * the API, so the report layer owns it and never needs the Kubernetes client.
 */

/** The run a fleet's report ConfigMaps belong to, and the node each was made on: `merge` names nodes by it. */
export const RUN_LABEL = 'aml-netcheck/run';
export const NODE_LABEL = 'aml-netcheck/node';

/** The key of a report ConfigMap's data that holds the JSON report, exactly as `-o json` prints it. */
export const REPORT_KEY = 'report.json';
