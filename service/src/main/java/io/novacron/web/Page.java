package io.novacron.web;

import java.util.List;

/** One page of a list endpoint, in API.md's shape. */
public record Page<T>(List<T> items, String nextCursor, long total, boolean totalIsEstimate) {
}
