type Structured = Record<string, unknown>;

/** What a resource URI reads: the tool, its arguments, and how the answer becomes content. */
export interface ResourceTarget {
  tool: string;
  args: Structured;
  png?: boolean;
}

/** The tool that answers a `meridian://` URI, or undefined when the URI names no resource. */
export function resourceTarget(uri: string): ResourceTarget | undefined {
  if (uri === 'meridian://instance') return { tool: 'get_instance_info', args: {} };
  const m = /^meridian:\/\/(datasets|charts|dashboards)\/([1-9]\d{0,9})(\/schema|\/preview\.png)?$/.exec(uri);
  if (!m) return undefined;
  const [, kind, rawId, suffix] = m;
  const id = Number(rawId);
  if (kind === 'datasets' && suffix === '/schema')
    return { tool: 'get_dataset_info', args: { identifier: id } };
  if (kind === 'charts' && !suffix) return { tool: 'get_chart_info', args: { identifier: id } };
  if (kind === 'charts' && suffix === '/preview.png') {
    return { tool: 'get_chart_preview', args: { identifier: id, format: 'png' }, png: true };
  }
  if (kind === 'dashboards' && !suffix) return { tool: 'get_dashboard_info', args: { identifier: id } };
  return undefined;
}
