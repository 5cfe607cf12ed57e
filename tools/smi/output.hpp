// hcq-smi's output formats: a table for people, the full listing (--details), JSON (one
// document, or one line per sample in watch mode: NDJSON) and CSV. docs/smi.md documents them.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model.hpp"

namespace hcq::smi {

struct Snapshot {
  std::vector<Record> records;
  std::vector<size_t> indices;  // each record's index in the full device list (-d keeps it)
  std::vector<std::string> problems;
  std::string timestamp;        // ISO 8601, UTC
};

// The fields to print: every field, or the ones --fields names (in that order).
using FieldList = std::vector<F>;
FieldList all_fields();

nlohmann::ordered_json to_json(const Snapshot& s, const FieldList& fields);
std::string to_csv(const Snapshot& s, const FieldList& fields, bool header);
// The summary table (and the process table under it).
std::string to_table(const Snapshot& s);
// Every chosen field of every device with its source, or why it is missing.
std::string to_details(const Snapshot& s, const FieldList& fields);

// A value as text for people: "38 C", "81559 MiB", "n/a".
std::string human(const Value& v, F f);

}  // namespace hcq::smi
