#pragma once
// The health-check keys of one [service.NAME] table, read by config.cpp's reader: its probes
// ([service.NAME.probe.PROBE]), `ready = "probe:NAME"`, `ready_log` and `log_match`. Every problem is
// reported as FILE:LINE:COL with the table and key it is about. Private to src/ (it sees toml11).
#include <string>

#include "toml_fields.hpp"
#include "vigil/config.hpp"

namespace vigil {

/// Reads `probe`, `ready_log`, `log_match` of the service table `table` (whose Fields is `f`) into
/// `s`, and checks `ready = "probe:NAME"` (already in s.ready_probe) against the probes read.
void read_health_checks(Fields& f, const Value& table, ServiceSpec& s, const std::string& path, Diagnostics& diags);

/// A probe or log counter name: it becomes part of a metric name (probe.NAME, log.NAME), so
/// lower-case letters, digits and '_', starting with a letter or '_'.
bool valid_check_name(const std::string& name);

}  // namespace vigil
