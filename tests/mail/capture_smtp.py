#!/usr/bin/python3
"""A capturing SMTP server for the tests (Debian's python3-aiosmtpd).

    /usr/bin/python3 tests/mail/capture_smtp.py DIR [--port PORT]

Listens on 127.0.0.1 (a free port unless --port is given), prints
"capture-smtp listening on PORT" once it accepts connections, and writes
every message it receives into DIR as msg-NNNNNN.json:

    {"mail_from": "...", "rcpt_tos": ["..."], "data": "the raw message",
     "received_at": unix seconds}

Each file is written under a temporary name and renamed, so a reader never
sees half of one. While a file named `refuse` exists in DIR, every recipient
is answered `451` (a temporary failure, which a sender must try again later)
and the attempt is recorded as refused-NNNNNN.json ({"mail_from",
"rcpt_tos", "refused_at"}). SIGTERM or SIGINT stops it cleanly (exit 0).
"""

import argparse
import asyncio
import itertools
import json
import os
import signal
import sys
import time

from aiosmtpd.smtp import SMTP

REFUSAL = "451 4.3.0 Mailbox temporarily unavailable (capture-smtp is refusing)"


class Capture:
    def __init__(self, directory):
        self.directory = directory
        self.counter = itertools.count(1)

    def refusing(self):
        return os.path.exists(os.path.join(self.directory, "refuse"))

    def write(self, prefix, record):
        name = f"{prefix}-{next(self.counter):06d}.json"
        temporary = os.path.join(self.directory, f".{name}.tmp")
        with open(temporary, "w", encoding="utf-8") as out:
            json.dump(record, out, ensure_ascii=False)
        os.replace(temporary, os.path.join(self.directory, name))

    # aiosmtpd handler hooks.

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refusing():
            self.write("refused", {"mail_from": envelope.mail_from, "rcpt_tos": [address],
                                   "refused_at": time.time()})
            return REFUSAL
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refusing():
            self.write("refused", {"mail_from": envelope.mail_from, "rcpt_tos": list(envelope.rcpt_tos),
                                   "refused_at": time.time()})
            return REFUSAL
        data = envelope.original_content or envelope.content
        if isinstance(data, bytes):
            data = data.decode("utf-8", errors="replace")
        self.write("msg", {"mail_from": envelope.mail_from, "rcpt_tos": list(envelope.rcpt_tos),
                           "data": data, "received_at": time.time()})
        return "250 Message accepted for delivery"


async def main():
    parser = argparse.ArgumentParser(description="capture SMTP messages as JSON files")
    parser.add_argument("directory")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    args = parser.parse_args()
    os.makedirs(args.directory, exist_ok=True)

    handler = Capture(args.directory)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="capture-smtp.test", ident="capture-smtp"), "127.0.0.1", args.port)
    port = server.sockets[0].getsockname()[1]

    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    print(f"capture-smtp listening on {port}", flush=True)
    await stop.wait()
    server.close()
    await server.wait_closed()


if __name__ == "__main__":
    asyncio.run(main())
    sys.exit(0)
