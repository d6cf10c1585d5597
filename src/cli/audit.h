// vantage audit: checks of the hash-chained audit log (store/audit_store.h).
#pragma once

#include <string>
#include <vector>

namespace vantage::cli {

// `vantage audit verify`: exit 0 when the chain is intact, 3 when it is
// broken (the message names the first entry at fault), 1 when the database
// cannot be read, 2 for a usage error.
int Audit(const std::vector<std::string>& args);

}  // namespace vantage::cli
