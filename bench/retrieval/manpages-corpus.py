#!/usr/bin/env python3
# A large English corpus for VectorRecall (run.sh recall): the full text of every manual page in sections 2, 3, 5, 7,
# 8 and 1 that Debian installed (packages manpages, manpages-dev and whatever else brought pages), troff markup
# stripped, one document per page, in BEIR's layout (corpus.jsonl; queries and qrels empty: VectorRecall holds out
# sentences as its queries). About 316 000 distinct sentences of 40-400 characters on the build host.
# MAN_ROOT picks another tree, e.g. /usr/share/man/zh_CN for the Chinese pages of manpages-zh.
#   python3 bench/retrieval/manpages-corpus.py OUT_DIR [MAN_ROOT (/usr/share/man)]
import glob, gzip, json, os, re, sys

out_dir = sys.argv[1]
man_root = sys.argv[2] if len(sys.argv) > 2 else "/usr/share/man"
os.makedirs(os.path.join(out_dir, "qrels"), exist_ok=True)
pages = 0
with open(os.path.join(out_dir, "corpus.jsonl"), "w") as out:
    for section in ["man2", "man3", "man5", "man7", "man8", "man1"]:
        for path in sorted(glob.glob(f"{man_root}/{section}/*.gz")):
            try:
                raw = gzip.open(path, "rt", errors="replace").read()
            except OSError:
                continue
            lines = []
            for line in raw.split("\n"):
                if line.startswith(("'", '.\\"')):
                    continue
                if line.startswith("."):
                    font = re.match(r"\.(B|I|BR|BI|IR|RB|RI|IB|SM|SB)\s+(.*)", line)
                    if font:
                        line = font.group(2).replace('"', "")
                    else:
                        if re.match(r"\.(PP|P|LP|SH|SS|TP|IP|br|sp)\b", line):
                            lines.append("\n")
                        continue
                line = re.sub(r"\\f[BIRP(]\w?\w?|\\f\[\w*\]", "", line)
                line = re.sub(r"\\\(\w\w", "", line)
                line = re.sub(r"\\[-&|^e]", "", line).replace("\\", "")
                lines.append(line)
            text = re.sub(r"[ \t]+", " ", " ".join(lines))
            out.write(json.dumps({"_id": path, "title": "", "text": text}) + "\n")
            pages += 1
open(os.path.join(out_dir, "queries.jsonl"), "w").close()
with open(os.path.join(out_dir, "qrels", "test.tsv"), "w") as qrels:
    qrels.write("query-id\tcorpus-id\tscore\n")
print(f"{pages} pages in {out_dir}")
