/** DI token of the ClientProxy the chart service reaches the sql service with. */
export const SQL_CLIENT = Symbol('SQL_CLIENT');
