/**
 * `x IN ${BOUND_LIST}` with `boundList(values)` as its parameter: a list of values bound as one
 * JSON array and read back by `json_each`. However long the list, it costs one SQL variable and
 * one node of the expression tree, so no request within the API's limits reaches SQLite's caps
 * (32,766 variables, expression depth 1,000). json_each's values have no affinity, so a column's
 * affinity applies to them as it does to bound values.
 */
export const BOUND_LIST = "(SELECT value FROM json_each(?))";

export function boundList(values: readonly unknown[]): string {
  return JSON.stringify(values);
}
