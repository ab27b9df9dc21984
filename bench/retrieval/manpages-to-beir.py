#!/usr/bin/env python3
"""Builds a known-item retrieval set in BEIR layout from the manual pages Debian ships.

NOT a BEIR dataset: no public IR test collection (BEIR, TREC, CLEF, Cranfield...) is published on the
registries this project can reach (Maven Central, Debian, npm). This is the honest substitute: every manual
page is a document (its DESCRIPTION section, or the text after NAME, cut to --max-chars); a sample of pages
become queries, each query being the page's own one-line NAME description ("open and possibly create a file"),
and the single relevant document is that page. The NAME line itself is left out of the document, so the query
is never contained in it verbatim by construction (it may be paraphrased in DESCRIPTION, as in real use).

  manpages-to-beir.py OUT_DIR MAN_DIR [MAN_DIR...] [--queries N] [--seed S] [--max-chars C]

English: MAN_DIR = /usr/share/man/man2 /usr/share/man/man3 /usr/share/man/man7 (Debian packages manpages,
manpages-dev). Chinese: /usr/share/man/zh_CN/man1 /usr/share/man/zh_CN/man8 (package manpages-zh).
"""
import argparse, json, os, random, re, subprocess, sys

HEADINGS_NAME = ("NAME", "名称", "名字", "名 称", "名  称", "NOM")
HEADINGS_DESC = ("DESCRIPTION", "描述", "描 述", "说明", "DESCRIPCIÓN")

def render(path):
    env = dict(os.environ, MANWIDTH="100", LANG="C.UTF-8")
    try:
        out = subprocess.run(["man", "-l", "-E", "UTF-8", path], capture_output=True, env=env, timeout=60)
    except subprocess.TimeoutExpired:
        return ""  # a page man cannot render in time is left out
    text = out.stdout.decode("utf-8", "replace")
    return re.sub(r".\x08", "", text)  # drop overstrike bold/underline

def sections(text):
    """Top-level sections: a heading is a line that starts at column 0; its body is the indented lines after it."""
    result, current, body = [], None, []
    for line in text.splitlines()[1:]:  # the first line is the page header
        if line and not line[0].isspace():
            if current is not None:
                result.append((current, body))
            current, body = line.strip(), []
        elif current is not None:
            body.append(line.strip())
    if current is not None:
        result.append((current, body[:-1] if body else body))
    return result

def flat(lines):
    return re.sub(r"\s+", " ", " ".join(lines)).strip()

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--max-chars", type=int, default=1500)
    args = ap.parse_args()
    docs, descriptions = [], {}
    for d in args.dirs:
        for name in sorted(os.listdir(d)):
            path = os.path.join(d, name)
            if os.path.islink(path) or not os.path.isfile(path):
                continue  # links are aliases of pages already taken
            secs = sections(render(path))
            name_body = next((flat(b) for h, b in secs if h in HEADINGS_NAME), "")
            m = re.split(r"\s+[-–—]+\s+|\s*[-–—]{1,2}\s*(?=[\u4e00-\u9fff])", name_body, maxsplit=1)
            if len(m) != 2:
                continue
            description = m[1].strip()
            rest = next((b for h, b in secs if h in HEADINGS_DESC), None)
            if rest is None:
                rest = [line for h, b in secs if h not in HEADINGS_NAME for line in b]
            text = flat(rest)[: args.max_chars]
            if len(text) < 80 or len(description) < 6:
                continue
            doc_id = os.path.basename(d) + "/" + re.sub(r"\.gz$", "", name)
            title = re.sub(r"\.gz$", "", name)
            docs.append({"_id": doc_id, "title": title, "text": text})
            descriptions.setdefault(description.lower(), []).append((doc_id, description))
    # A description shared by several pages would have several right answers; keep unambiguous ones only.
    candidates = [(pages[0][1], pages[0][0]) for pages in descriptions.values() if len(pages) == 1]
    random.Random(args.seed).shuffle(candidates)
    chosen = candidates[: args.queries]
    os.makedirs(os.path.join(args.out, "qrels"), exist_ok=True)
    with open(os.path.join(args.out, "corpus.jsonl"), "w", encoding="utf-8") as f:
        for doc in docs:
            f.write(json.dumps(doc, ensure_ascii=False) + "\n")
    with open(os.path.join(args.out, "queries.jsonl"), "w", encoding="utf-8") as q, \
            open(os.path.join(args.out, "qrels", "test.tsv"), "w", encoding="utf-8") as r:
        r.write("query-id\tcorpus-id\tscore\n")
        for i, (desc, doc_id) in enumerate(chosen):
            q.write(json.dumps({"_id": "q%d" % i, "text": desc}, ensure_ascii=False) + "\n")
            r.write("q%d\t%s\t1\n" % (i, doc_id))
    print("%d documents, %d queries -> %s" % (len(docs), len(chosen), args.out), file=sys.stderr)

if __name__ == "__main__":
    main()
