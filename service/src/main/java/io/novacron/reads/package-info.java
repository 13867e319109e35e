/**
 * The five critical reads, one class each with its SQL and the index it walks. None of them
 * aggregates at read time: each reads a model kept current in the writer's own transaction, so an
 * answer never lags an acknowledged write. What keeps each model fresh:
 *
 * <table>
 *   <caption>read models and their writers</caption>
 *   <tr><th>read</th><th>reads</th><th>kept fresh by</th></tr>
 *   <tr><td>{@code dashboard.Dashboard}: counts, allocation, created last 24 h</td>
 *       <td>{@code org_summary}, {@code org_vm_stats}, {@code org_vm_created_1h}, {@code platform_*}</td>
 *       <td>statement triggers on {@code vm} (V20, V24), in every VM change's transaction</td></tr>
 *   <tr><td>{@code dashboard.Dashboard}: usage averages</td><td>{@code org_usage_1m}</td>
 *       <td>{@code metrics.ingest.ReadModels}, in each metric batch's transaction</td></tr>
 *   <tr><td>{@code listing.VmListing}</td><td>{@code vm} and its per-sort indexes; totals from {@code org_vm_stats}</td>
 *       <td>the {@code vm} rows themselves ({@code fleet.VmRepository}); totals by the V20 triggers</td></tr>
 *   <tr><td>{@code monitoring.VmMonitoring}, {@code monitoring.NodeMonitoring}</td>
 *       <td>{@code vm_latest}, {@code node_latest}</td>
 *       <td>{@code metrics.ingest.ReadModels}, in each metric batch's transaction</td></tr>
 *   <tr><td>{@code capacity.NodeCapacity}</td><td>{@code node} allocation counters</td>
 *       <td>trigger {@code vm_node_allocation} on {@code vm} (V1; CHECKs forbid over-commit)</td></tr>
 * </table>
 *
 * Metrics aggregation ({@code /metrics/query}) lives with its tiers in {@code metrics.query}.
 */
package io.novacron.reads;
