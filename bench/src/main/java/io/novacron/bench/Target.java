package io.novacron.bench;

import org.HdrHistogram.Histogram;

/** Something that answers the workloads' requests: the HTTP service, or the baseline SQL. */
public interface Target {
    /**
     * Answers one request, recording the latency of each call (one per page) in microseconds.
     * Throws when a call fails; the run counts it as an error.
     */
    void execute(Request request, Histogram micros) throws Exception;
}
