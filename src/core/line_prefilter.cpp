#include "vigil/line_prefilter.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>

#if VIGIL_HAVE_VECTORSCAN
#include <hs.h>
#include <re2/filtered_re2.h>
#include <re2/re2.h>
#endif

namespace vigil {

bool pattern_sets_flags(std::string_view p) {
  for (std::size_t at = p.find("(?"); at != std::string_view::npos; at = p.find("(?", at + 2)) {
    char next = at + 2 < p.size() ? p[at + 2] : '\0';
    if (next != ':' && next != 'P' && next != '<') return true;  // (?i) (?s) (?-m) ..., not (?:x) or a name
  }
  return false;
}

bool pattern_names_non_ascii(std::string_view p) {
  for (unsigned char c : p)
    if (c >= 0x80) return true;
  return p.find("\\x") != std::string_view::npos || p.find("\\p") != std::string_view::npos ||
         p.find("\\P") != std::string_view::npos;
}

#if VIGIL_HAVE_VECTORSCAN

bool LinePrefilter::available() { return true; }

struct LinePrefilter::Engine {
  hs_database_t* db = nullptr;
  hs_scratch_t* scratch = nullptr;
  ~Engine() {
    hs_free_scratch(scratch);
    hs_free_database(db);
  }
};

std::unique_ptr<LinePrefilter> LinePrefilter::build(const std::vector<std::string>& patterns) {
  if (patterns.empty() || hs_valid_platform() != HS_SUCCESS) return nullptr;  // e.g. an x86 CPU without SSSE3
  // Atoms shorter than 3 bytes would be found in most lines; a pattern left without any is "unfiltered".
  re2::FilteredRE2 filter(3);
  RE2::Options options;  // as Pattern::compile
  options.set_log_errors(false);
  std::unique_ptr<LinePrefilter> f(new LinePrefilter);
  for (const std::string& p : patterns) {
    int id = 0;
    if (filter.Add(p, options, &id) != RE2::NoError) return nullptr;
    if (pattern_sets_flags(p) || pattern_names_non_ascii(p)) f->ascii_only_ = true;
  }
  std::vector<std::string> atoms;
  filter.Compile(&atoms);
  std::vector<int> unfiltered;  // the patterns that may match where no atom is: every line is a candidate
  filter.AllPotentials({}, &unfiltered);
  if (atoms.empty() || !unfiltered.empty()) return nullptr;
  std::vector<const char*> exprs;
  std::vector<unsigned> flags, ids;
  std::vector<std::size_t> lengths;
  for (const std::string& a : atoms) {
    for (char c : a)
      if (static_cast<unsigned char>(c) >= 0x80) return nullptr;  // atoms are lowercased, and only ASCII case is ignored below
    exprs.push_back(a.data());
    lengths.push_back(a.size());
    flags.push_back(HS_FLAG_CASELESS);  // FilteredRE2 lowercases its atoms
    ids.push_back(static_cast<unsigned>(ids.size()));
  }
  f->engine_ = std::make_unique<Engine>();
  hs_compile_error_t* error = nullptr;
  if (hs_compile_lit_multi(exprs.data(), flags.data(), ids.data(), lengths.data(), static_cast<unsigned>(exprs.size()),
                           HS_MODE_BLOCK, nullptr, &f->engine_->db, &error) != HS_SUCCESS) {
    hs_free_compile_error(error);
    return nullptr;
  }
  if (hs_alloc_scratch(f->engine_->db, &f->engine_->scratch) != HS_SUCCESS) return nullptr;
  return f;
}

namespace {

bool all_ascii(std::string_view s) {
  std::uint64_t any = 0;
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    any |= w;
  }
  for (; i < s.size(); ++i) any |= static_cast<unsigned char>(s[i]);
  return (any & 0x8080808080808080ULL) == 0;
}

struct Scan {
  std::string_view block;
  std::vector<std::size_t>* starts;
  std::size_t line_start = 0, line_end = 0;  // the line last marked: [start, end], end at its '\n'
  bool any = false;
  bool in_order = true;
  std::size_t reports_left;
};

// Called with the end of every atom found. The line holding its last byte is a candidate (an atom
// with a '\n' in it marks a line no match is in: harmless). Later atoms in the same line cost a compare.
int on_match(unsigned, unsigned long long, unsigned long long to, unsigned, void* context) {
  auto& s = *static_cast<Scan*>(context);
  if (s.reports_left-- == 0) return 1;  // too many: give up on this block
  std::size_t pos = static_cast<std::size_t>(to) - 1;  // atoms are never empty
  if (s.any && pos >= s.line_start && pos <= s.line_end) return 0;
  const char* data = s.block.data();
  const void* before = ::memrchr(data, '\n', pos);
  const void* after = std::memchr(data + pos, '\n', s.block.size() - pos);
  std::size_t start = before ? static_cast<std::size_t>(static_cast<const char*>(before) - data) + 1 : 0;
  if (s.any && start < s.line_start) s.in_order = false;
  s.line_start = start;
  s.line_end = after ? static_cast<std::size_t>(static_cast<const char*>(after) - data) : s.block.size();
  s.any = true;
  s.starts->push_back(start);
  return 0;
}

}  // namespace

bool LinePrefilter::candidate_lines(std::string_view block, std::vector<std::size_t>& starts) {
  starts.clear();
  if (block.empty()) return true;
  if (block.size() > std::numeric_limits<unsigned>::max() || (ascii_only_ && !all_ascii(block))) return false;
  // Past one report per 32 bytes, RE2 skipping to the next line after each match does less work.
  Scan s{block, &starts, 0, 0, false, true, block.size() / 32 + 16};
  hs_error_t rc = hs_scan(engine_->db, block.data(), static_cast<unsigned>(block.size()), 0, engine_->scratch, on_match, &s);
  if (rc != HS_SUCCESS) return false;  // HS_SCAN_TERMINATED (too many atoms) or an error
  if (!s.in_order) {
    std::sort(starts.begin(), starts.end());
    starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
  }
  return true;
}

#else

bool LinePrefilter::available() { return false; }

struct LinePrefilter::Engine {};

std::unique_ptr<LinePrefilter> LinePrefilter::build(const std::vector<std::string>&) { return nullptr; }

bool LinePrefilter::candidate_lines(std::string_view block, std::vector<std::size_t>& starts) {
  starts.clear();
  return block.empty();
}

#endif

LinePrefilter::~LinePrefilter() = default;

}  // namespace vigil
