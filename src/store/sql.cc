#include "store/sql.h"

#include <stdexcept>

namespace vantage::store {

namespace {

const std::string kEmptyText;

// Asking for the wrong type is a bug in the caller's column list, not a
// condition to handle, so it throws like an out-of-range index does.
[[noreturn]] void WrongType(size_t i, const char* wanted) {
  throw std::logic_error("column " + std::to_string(i) + " is not " + wanted);
}

}  // namespace

bool Row::IsNull(size_t i) const { return std::holds_alternative<std::monostate>(columns_.at(i)); }

int64_t Row::Int(size_t i) const {
  const Value& v = columns_.at(i);
  if (const auto* n = std::get_if<int64_t>(&v)) return *n;
  if (std::holds_alternative<std::monostate>(v)) return 0;
  WrongType(i, "an integer");
}

const std::string& Row::Text(size_t i) const {
  const Value& v = columns_.at(i);
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (std::holds_alternative<std::monostate>(v)) return kEmptyText;
  WrongType(i, "text");
}

std::optional<int64_t> Row::OptInt(size_t i) const {
  if (IsNull(i)) return std::nullopt;
  return Int(i);
}

std::optional<std::string> Row::OptText(size_t i) const {
  if (IsNull(i)) return std::nullopt;
  return Text(i);
}

Result<std::optional<Row>> Connection::QueryOne(const Statement& st,
                                                std::initializer_list<Value> args) {
  auto rows = Query(st, args);
  if (!rows) return std::move(rows).error();
  if (rows->empty()) return std::optional<Row>();
  return std::optional<Row>(std::move(rows->front()));
}

}  // namespace vantage::store
