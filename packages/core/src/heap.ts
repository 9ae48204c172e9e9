/**
 * V8 heap tuning every gatehouse process applies at start (`v8.setFlagsFromString`). The core
 * makes short-lived garbage in bursts (a full rebuild allocates several times its ~55 MB
 * output); V8's default growth lets the heap reach ~6x the live data before collecting.
 * Growing by 40% instead keeps peak RSS for 10,000 routes under 512 MB at about the same
 * speed (packages/core/bench/graph.bench.ts runs with these flags; --default-heap without).
 */
export const V8_HEAP_FLAGS = "--heap-growing-percent=40";
