#include "store/postgres/postgres_dialect.h"

#include <cctype>

namespace vantage::store::postgres {

namespace {

bool IsIdentifierChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// The end (one past the closing quote) of a quoted run starting at `open`,
// where a doubled quote stands for one; `backslash` also skips the character
// after each backslash (E'...'). The whole rest when it is never closed.
size_t EndOfQuoted(std::string_view sql, size_t open, char quote, bool backslash) {
  for (size_t i = open + 1; i < sql.size(); ++i) {
    if (backslash && sql[i] == '\\') {
      ++i;
    } else if (sql[i] == quote) {
      if (i + 1 < sql.size() && sql[i + 1] == quote) {
        ++i;
      } else {
        return i + 1;
      }
    }
  }
  return sql.size();
}

// The end of a /* */ comment, which nests in PostgreSQL.
size_t EndOfBlockComment(std::string_view sql, size_t open) {
  int depth = 0;
  for (size_t i = open; i + 1 < sql.size(); ++i) {
    if (sql[i] == '/' && sql[i + 1] == '*') {
      ++depth;
      ++i;
    } else if (sql[i] == '*' && sql[i + 1] == '/') {
      ++i;
      if (--depth == 0) return i + 1;
    }
  }
  return sql.size();
}

// The tag of a dollar quote opening at `open` ("$$" or "$name$"), or empty.
std::string_view DollarTag(std::string_view sql, size_t open) {
  size_t i = open + 1;
  if (i < sql.size() && sql[i] != '$') {
    if (std::isdigit(static_cast<unsigned char>(sql[i]))) return {};  // $1 is a parameter
    while (i < sql.size() && IsIdentifierChar(sql[i]) && sql[i] != '$') ++i;
  }
  if (i >= sql.size() || sql[i] != '$') return {};
  return sql.substr(open, i - open + 1);
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

RewrittenSql RewritePlaceholders(std::string_view sql) {
  RewrittenSql out;
  out.sql.reserve(sql.size() + 16);
  size_t i = 0;
  while (i < sql.size()) {
    char c = sql[i];
    bool after_identifier = i > 0 && IsIdentifierChar(sql[i - 1]);
    size_t end = i + 1;  // one past what is copied unchanged
    if (c == '?') {
      out.sql += '$';
      out.sql += std::to_string(++out.parameters);
      ++i;
      continue;
    }
    if (c == '\'') {
      // E'...' takes backslash escapes; the E must start its own word.
      bool escapes = i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') &&
                     (i < 2 || !IsIdentifierChar(sql[i - 2]));
      end = EndOfQuoted(sql, i, '\'', escapes);
    } else if (c == '"') {
      end = EndOfQuoted(sql, i, '"', false);
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      end = sql.find('\n', i);
      end = end == std::string_view::npos ? sql.size() : end + 1;
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      end = EndOfBlockComment(sql, i);
    } else if (c == '$' && !after_identifier) {
      std::string_view tag = DollarTag(sql, i);
      if (!tag.empty()) {
        size_t close = sql.find(tag, i + tag.size());
        end = close == std::string_view::npos ? sql.size() : close + tag.size();
      }
    }
    out.sql.append(sql.substr(i, end - i));
    i = end;
  }
  return out;
}

std::string UniqueViolationField(std::string_view table, std::string_view constraint,
                                 std::string_view detail) {
  if (table.empty()) return {};
  std::string field;
  constexpr std::string_view kKey = "Key (";
  size_t open = detail.find(kKey);
  size_t close = open == std::string_view::npos ? open : detail.find(")=(", open);
  if (close != std::string_view::npos) {
    std::string_view columns = detail.substr(open + kKey.size(), close - open - kKey.size());
    while (!columns.empty()) {
      size_t comma = columns.find(',');
      std::string_view column = Trim(columns.substr(0, comma));
      if (column.size() >= 2 && column.front() == '"' && column.back() == '"') {
        column = column.substr(1, column.size() - 2);
      }
      if (!field.empty()) field += ", ";
      field.append(table).append(".").append(column);
      if (comma == std::string_view::npos) break;
      columns.remove_prefix(comma + 1);
    }
    return field;
  }
  // PostgreSQL names a one-column UNIQUE constraint `<table>_<column>_key`.
  constexpr std::string_view kSuffix = "_key";
  if (constraint.size() > table.size() + 1 + kSuffix.size() &&
      constraint.substr(0, table.size()) == table && constraint[table.size()] == '_' &&
      constraint.substr(constraint.size() - kSuffix.size()) == kSuffix) {
    std::string_view column = constraint.substr(
        table.size() + 1, constraint.size() - table.size() - 1 - kSuffix.size());
    field.append(table).append(".").append(column);
  }
  return field;
}

}  // namespace vantage::store::postgres
