"""The metrics every Go exporter serves besides its own: Go runtime, process and promhttp collectors.

Names, HELP texts and types are those of ``client_golang`` 1.14 (the Go and process collectors of
``prometheus.DefaultRegisterer`` and ``promhttp.InstrumentMetricHandler``). Values are plausible
for a small idle Go binary and move a little with each scrape, as a real one's do.
"""

from __future__ import annotations

from dataclasses import dataclass

from gpusim.exporters.textformat import Family, Sample, counter, gauge

GO_VERSION = "go1.19.5"

_MEMSTATS: tuple[tuple[str, str, str, float, float], ...] = (
    # name, type, help, base value, growth per scrape
    ("alloc_bytes", "gauge", "Number of bytes allocated and still in use.", 2.1e6, 1.7e3),
    ("alloc_bytes_total", "counter", "Total number of bytes allocated, even if freed.", 4.6e6, 5.3e4),
    ("buck_hash_sys_bytes", "gauge", "Number of bytes used by the profiling bucket hash table.", 1.45e6, 0),
    ("frees_total", "counter", "Total number of frees.", 17000, 310),
    ("gc_sys_bytes", "gauge", "Number of bytes used for garbage collection system metadata.", 8.4e6, 0),
    ("heap_alloc_bytes", "gauge", "Number of heap bytes allocated and still in use.", 2.1e6, 1.7e3),
    ("heap_idle_bytes", "gauge", "Number of heap bytes waiting to be used.", 3.7e6, 0),
    ("heap_inuse_bytes", "gauge", "Number of heap bytes that are in use.", 4.1e6, 0),
    ("heap_objects", "gauge", "Number of allocated objects.", 9100, 3),
    ("heap_released_bytes", "gauge", "Number of heap bytes released to OS.", 2.9e6, 0),
    ("heap_sys_bytes", "gauge", "Number of heap bytes obtained from system.", 7.8e6, 0),
    ("last_gc_time_seconds", "gauge", "Number of seconds since 1970 of last garbage collection.", 0, 0),
    ("lookups_total", "counter", "Total number of pointer lookups.", 0, 0),
    ("mallocs_total", "counter", "Total number of mallocs.", 26000, 330),
    ("mcache_inuse_bytes", "gauge", "Number of bytes in use by mcache structures.", 4800, 0),
    ("mcache_sys_bytes", "gauge", "Number of bytes used for mcache structures obtained from system.", 15600,
     0),
    ("mspan_inuse_bytes", "gauge", "Number of bytes in use by mspan structures.", 74000, 0),
    ("mspan_sys_bytes", "gauge", "Number of bytes used for mspan structures obtained from system.", 97920, 0),
    ("next_gc_bytes", "gauge", "Number of heap bytes when next garbage collection will take place.", 4.19e6,
     0),
    ("other_sys_bytes", "gauge", "Number of bytes used for other system allocations.", 1.03e6, 0),
    ("stack_inuse_bytes", "gauge", "Number of bytes in use by the stack allocator.", 655360, 0),
    ("stack_sys_bytes", "gauge", "Number of bytes obtained from system for stack allocator.", 655360, 0),
    ("sys_bytes", "gauge", "Number of bytes obtained from system.", 1.98e7, 0),
)

_GC_QUANTILES = (("0", 2.8e-05), ("0.25", 4.1e-05), ("0.5", 5.9e-05), ("0.75", 9.7e-05), ("1", 0.000412))


@dataclass
class ProcessState:
    """The exporter process: when it started and how many scrapes it has answered by status code."""

    started_at: float
    requests_by_code: dict[str, int]

    @classmethod
    def starting(cls, now: float) -> ProcessState:
        # promhttp pre-initialises the most likely codes so they show as 0 before any scrape.
        return cls(started_at=now, requests_by_code={"200": 0, "500": 0, "503": 0})

    def count_request(self, code: int) -> None:
        key = str(code)
        self.requests_by_code[key] = self.requests_by_code.get(key, 0) + 1


def _go_families(scrapes: int, uptime: float) -> list[Family]:
    gc_cycles = int(uptime // 120)
    quantile_samples = [Sample((("quantile", q),), v if gc_cycles else 0.0) for q, v in _GC_QUANTILES]
    families = [
        Family("go_gc_duration_seconds", "A summary of the pause duration of garbage collection cycles.",
               "summary", (*quantile_samples,
                           Sample((), gc_cycles * 6.2e-05, "_sum"), Sample((), gc_cycles, "_count"))),
        gauge("go_goroutines", "Number of goroutines that currently exist.", 8 + scrapes % 3),
        gauge("go_info", "Information about the Go environment.", 1, (("version", GO_VERSION),)),
        gauge("go_threads", "Number of OS threads created.", 9),
    ]
    for name, kind, help_text, base, growth in _MEMSTATS:
        families.append(Family(f"go_memstats_{name}", help_text, kind,
                               (Sample((), float(int(base + growth * scrapes))),)))
    return families


def _process_families(state: ProcessState, scrapes: int, uptime: float) -> list[Family]:
    return [
        counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                round(0.02 + uptime * 0.0004 + scrapes * 0.004, 2)),
        gauge("process_max_fds", "Maximum number of open file descriptors.", 1048576),
        gauge("process_open_fds", "Number of open file descriptors.", 9),
        gauge("process_resident_memory_bytes", "Resident memory size in bytes.", 1.4168064e7),
        gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
              round(state.started_at, 2)),
        gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", 7.37435648e8),
        gauge("process_virtual_memory_max_bytes", "Maximum amount of virtual memory available in bytes.",
              1.8446744073709552e19),
    ]


def _promhttp_families(state: ProcessState) -> list[Family]:
    by_code = tuple(Sample((("code", code),), float(n)) for code, n in state.requests_by_code.items())
    return [
        # This scrape is the one in flight; it is counted by code only once it has been answered.
        gauge("promhttp_metric_handler_requests_in_flight", "Current number of scrapes being served.", 1),
        Family("promhttp_metric_handler_requests_total", "Total number of scrapes by HTTP status code.",
               "counter", by_code),
    ]


def runtime_families(state: ProcessState, now: float) -> list[Family]:
    scrapes = sum(state.requests_by_code.values())
    uptime = max(0.0, now - state.started_at)
    return [*_go_families(scrapes, uptime), *_process_families(state, scrapes, uptime),
            *_promhttp_families(state)]
