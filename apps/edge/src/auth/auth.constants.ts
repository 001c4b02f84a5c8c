/**
 * Name of the edge's metadata DataSource. In the all-in-one the services' data sources live in
 * the same process; a name of its own keeps @nestjs/typeorm's registry from flagging a clash.
 */
export const EDGE_DATA_SOURCE = 'meridian-edge';
