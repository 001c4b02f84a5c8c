import { ForceRefresh, IsIdentifier } from '../validation';

export class GetChartInfoRequest {
  @IsIdentifier()
  identifier!: number | string;
}

export class GetDatasetInfoRequest {
  @IsIdentifier()
  identifier!: number | string;

  @ForceRefresh()
  force_refresh?: boolean;
}

export class GetDatabaseInfoRequest {
  @IsIdentifier()
  identifier!: number | string;
}

export class GetDashboardInfoRequest {
  @IsIdentifier({ allowSlug: true })
  identifier!: number | string;
}

/** Tools that take no arguments still reject unknown ones. */
export class NoArgumentsRequest {}
