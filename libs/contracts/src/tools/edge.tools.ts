import { NoArgumentsRequest } from '../dto/get-info.dto';
import { HEALTH_SCHEMA } from '../output-schemas';
import { READ_ONLY, READ_SCOPE, type ToolSpec } from '../tool-definition';

export const EDGE_TOOLS: ToolSpec[] = [
  {
    name: 'health_check',
    title: 'Health check',
    description: 'Whether the Meridian MCP service is up, with its version and uptime.',
    service: 'edge',
    input: NoArgumentsRequest,
    output: HEALTH_SCHEMA,
    annotations: READ_ONLY,
    permission: null,
    scope: READ_SCOPE,
  },
];
