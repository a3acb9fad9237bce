#pragma once
// The Prometheus exposition of a Snapshot (GET /metrics and the textfile): one table of families,
// each with its name, type, help line, labels and how it is read from the snapshot. The text is
// written from the table and docs/fleet.md's metric table is checked against it by a unit test
// (Exposition.DocsTableIsTheTable), as MetricTable.DocsTableIsTheTable does for docs/health.md.
// A new family is one row in exposition.cpp. Pure: vigil's own process figures come in as values.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace vigil {

struct Snapshot;

/// vigil's own process, as the standard process_* metrics show it (read from /proc/self).
struct SelfProcess {
  double cpu_seconds = 0;
  double resident_bytes = 0;
  double virtual_bytes = 0;
  double start_time = 0;  // unix seconds
  double open_fds = 0;
  double max_fds = 0;
};

struct ExpositionInput {
  const Snapshot& snap;
  const SelfProcess* self = nullptr;  // nullptr: no process_* families (the textfile)
};

class ExpositionWriter;

struct ExpositionFamily {
  std::string_view name;
  std::string_view type;    // "gauge" or "counter"
  std::string_view labels;  // as docs/fleet.md shows them: "name, state"
  std::string_view help;
  bool self;                // a process_* family of vigil itself
  void (*write)(ExpositionWriter& out, const ExpositionInput& in);
};

std::span<const ExpositionFamily> exposition_table();

/// The text exposition format (version 0.0.4): # HELP, # TYPE, then the samples of each family that
/// has any. Label values escaped. Families without samples (no store, no alerts) are left out.
std::string exposition_text(const ExpositionInput& in);
/// Appends to `out` (rendering into a reused buffer).
void append_exposition(std::string& out, const ExpositionInput& in);

/// docs/fleet.md's metric table (markdown), generated from the table.
std::string exposition_table_markdown();

/// "text/plain; version=0.0.4; charset=utf-8"
inline constexpr std::string_view kExpositionContentType = "text/plain; version=0.0.4; charset=utf-8";

/// Writes one family's samples; used by the table's readers.
class ExpositionWriter {
 public:
  explicit ExpositionWriter(std::string& out) : out_(out) {}
  /// Starts a sample: `name{` + the service's name label (already escaped, cached per render).
  void sample(std::string_view family, std::string_view name_label);
  /// ,key="value" (value escaped)
  void label(std::string_view key, std::string_view value);
  void value(double v);
  void value(std::uint64_t v);
  /// A sample without labels.
  void plain(std::string_view family, double v);
  /// The escaped `name="..."` of each service, in snapshot order (set by append_exposition).
  std::span<const std::string> name_labels;
  bool wrote = false;  // a sample was written (else the family's header is taken back)

 private:
  std::string& out_;
  bool open_ = false;
};

}  // namespace vigil
