import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { parse } from 'yaml';
import { ROOT } from './processes';

export const PROMETHEUS_DIR = join(ROOT, 'deploy/prometheus');
export const GRAFANA_DIR = join(ROOT, 'deploy/grafana');

export interface AlertRule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
export interface RuleGroup {
  name: string;
  rules: AlertRule[];
}

/** Runs Debian's promtool (package prometheus; .ci/run installs it) and answers its status and output. */
export function promtool(args: string[], cwd = PROMETHEUS_DIR): { status: number; output: string } {
  const run = spawnSync('promtool', args, { cwd, encoding: 'utf8' });
  if (run.error) {
    throw new Error(`promtool could not run (${run.error.message}): install Debian's prometheus package`);
  }
  return { status: run.status ?? -1, output: `${run.stdout}${run.stderr}` };
}

/** The plain rule files (`*.rules.yml`) and the promtool tests (`*.rules.test.yml`) beside them. */
export function ruleFiles(): { rules: string[]; tests: string[] } {
  const names = readdirSync(PROMETHEUS_DIR).sort();
  return {
    rules: names.filter((n) => n.endsWith('.rules.yml')),
    tests: names.filter((n) => n.endsWith('.rules.test.yml')),
  };
}

export function readYaml<T>(path: string): T {
  return parse(readFileSync(path, 'utf8')) as T;
}

/** Every group of every plain rule file, in file order (meridian.rules.yml first). */
export function ruleGroups(): RuleGroup[] {
  const { rules } = ruleFiles();
  const ordered = [
    ...rules.filter((f) => f === 'meridian.rules.yml'),
    ...rules.filter((f) => f !== 'meridian.rules.yml'),
  ];
  return ordered.flatMap((f) => readYaml<{ groups: RuleGroup[] }>(join(PROMETHEUS_DIR, f)).groups);
}

/** A series selector of a PromQL expression: its metric name and its `job` matcher, if any. */
export interface Selector {
  metric: string;
  job?: { op: string; value: string };
}

/** The metric names a PromQL expression reads, found by Prometheus's own PromQL grammar. */
export function selectorsOf(expr: string): Selector[] {
  const tree = parser.parse(expr);
  const found: Selector[] = [];
  const errors: string[] = [];
  tree.iterate({
    enter(node) {
      if (node.type.isError) errors.push(`at ${node.from}`);
      if (node.name !== 'VectorSelector') return;
      const name = node.node.getChild('Identifier');
      if (!name) return;
      const selector: Selector = { metric: expr.slice(name.from, name.to) };
      for (const m of node.node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []) {
        const label = m.getChild('LabelName');
        const op = m.getChild('MatchOp');
        const value = m.getChild('StringLiteral');
        if (label && op && value && expr.slice(label.from, label.to) === 'job') {
          selector.job = {
            op: expr.slice(op.from, op.to),
            value: JSON.parse(expr.slice(value.from, value.to)) as string,
          };
        }
      }
      found.push(selector);
    },
  });
  if (errors.length > 0) throw new Error(`PromQL does not parse (${errors.join(', ')}): ${expr}`);
  return found;
}

/** GitHub's anchor for a Markdown heading. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors of a Markdown file's headings. */
export function anchorsOf(path: string): Set<string> {
  return new Set(
    readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => /^#{1,6}\s/.test(l))
      .map((l) => headingAnchor(l.replace(/^#+\s*/, ''))),
  );
}

/** The parts of a Grafana dashboard's JSON model the checks read. */
export interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  templating: {
    list: { name: string; type: string; datasource?: unknown; query: { query: string } | string }[];
  };
  panels: {
    id: number;
    type: string;
    title: string;
    datasource?: unknown;
    gridPos: { x: number; y: number; w: number; h: number };
    targets?: { refId: string; expr: string; datasource?: unknown }[];
  }[];
}

/**
 * Grafana's variables replaced as Grafana would before it sends a query: the rate interval by a
 * duration, `$job` (multi-value, All) by its all-value regex.
 */
export function substituteVariables(expr: string): string {
  const out = expr
    .replace(/\$__rate_interval|\$\{__rate_interval\}/g, '2m')
    .replace(/\$__interval|\$\{__interval\}/g, '30s')
    .replace(/\$__range|\$\{__range\}/g, '6h')
    .replace(/\$job|\$\{job\}/g, 'meridian.*');
  if (/\$(?![1-9])/.test(out)) throw new Error(`a variable left in: ${out}`);
  return out;
}

/** Every PromQL query of a dashboard (panel targets, and the series of label_values() variables), substituted. */
export function dashboardQueries(dashboard: Dashboard): { name: string; expr: string }[] {
  const targets = dashboard.panels.flatMap((p) =>
    (p.targets ?? []).map((t) => ({ name: `panel_${p.id}_${t.refId}`, expr: substituteVariables(t.expr) })),
  );
  const variables = dashboard.templating.list
    .filter((v) => v.type === 'query')
    .map((v) => {
      const query = typeof v.query === 'string' ? v.query : v.query.query;
      const series = /^label_values\((.+),\s*\w+\)$/.exec(query)?.[1];
      if (!series) throw new Error(`variable ${v.name}: only label_values(series, label) is understood`);
      return { name: `variable_${v.name}`, expr: substituteVariables(series) };
    });
  return [...targets, ...variables];
}
