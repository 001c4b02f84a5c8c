import { Injectable } from '@nestjs/common';
import {
  toolRegistry,
  type ChartConfig,
  type GetChartTypeSchemaRequest,
  type Principal,
} from '@meridian/contracts';
import { MeridianError } from '@meridian/errors';
import { ChartAccessService } from '../metadata/chart-access.service';
import { datasetExample, GENERIC_EXAMPLES } from '../query/chart-example';
import { planChart } from '../query/chart-plan';

/** get_chart_type_schema: one chart type's full configuration schema and an example that passes it. */
@Injectable()
export class ChartTypeSchemaService {
  constructor(private readonly access: ChartAccessService) {}

  async describe(principal: Principal, args: GetChartTypeSchemaRequest) {
    const type = args.chart_type;
    const schema = toolRegistry().chartTypeSchema(type);
    if (args.dataset_id === undefined) {
      return {
        chart_type: type,
        schema,
        example: GENERIC_EXAMPLES[type],
        notes: [
          "The example's names are made up: pass dataset_id for one built from a dataset's columns and saved metrics (get_dataset_info lists them).",
        ],
      };
    }
    const dataset = await this.access.visibleDataset(principal, args.dataset_id);
    const built = datasetExample(type, dataset);
    // The example is checked as generate_chart would check it, so it is never one the tool refuses.
    const problem = built ? checkAgainst(dataset, built) : 'the dataset has no column to chart';
    return {
      chart_type: type,
      schema,
      example: problem ? GENERIC_EXAMPLES[type] : built,
      dataset: { id: dataset.id, table_name: dataset.tableName },
      notes: problem
        ? [
            `No ${type} example could be built from ${dataset.tableName} (${problem}); this one's names are made up.`,
          ]
        : [
            `Names are ${dataset.tableName}'s own columns and saved metrics; get_dataset_info lists the rest.`,
          ],
    };
  }
}

function checkAgainst(dataset: Parameters<typeof planChart>[0], config: ChartConfig): string | undefined {
  try {
    planChart(dataset, config);
    return undefined;
  } catch (err) {
    if (err instanceof MeridianError) return err.message;
    throw err;
  }
}
