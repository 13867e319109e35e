/**
 * Receivers for the collectors operators already run (API.md "Agent and compatibility
 * endpoints"): Prometheus remote-write and InfluxDB 1.x/2.x writes. Each translates its wire format
 * into {@link io.novacron.metrics.ingest.SampleBatch}es and hands them to the one ingest path,
 * {@link io.novacron.metrics.ingest.MetricIngest}, so validation, exactly-once and all-or-nothing
 * batches are the same as on {@code /api/v1/metrics/*}. The mapping from Prometheus series to
 * metrics is configured by {@link io.novacron.config.ServiceConfig.Agents}; docs/AGENTS.md shows
 * the client configuration.
 */
package io.novacron.metrics.agents;
