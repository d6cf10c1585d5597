// Opening the configured database, shared by every subcommand.
#pragma once

#include <memory>

#include "cli/config.h"
#include "store/sql.h"

namespace vantage::cli {

Result<std::shared_ptr<store::Database>> OpenDatabase(const Config& config);

}  // namespace vantage::cli
