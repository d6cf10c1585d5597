// A local status read into what its Note document needs (documents.h):
// its photos in carousel order, the status it answers and its author, and
// its mentions. Served at the note's id, in the outbox and in archives.
// Blocks: call it from a pool thread.
#pragma once

#include "federation/documents.h"
#include "service/context.h"

namespace vantage::federation {

Result<NoteView> LoadNoteView(service::ServiceContext& services, const store::Post& post,
                              const store::Account& author);

}  // namespace vantage::federation
