#!/usr/bin/env python3
"""Builds topical retrieval sets with graded judgments, in BEIR layout, from the Debian Reference that Debian
ships in English (package debian-reference-en) and in its Simplified Chinese translation (debian-reference-zh-cn).

NOT a BEIR dataset (none can be reached from here); an honest substitute with judgments constructed from the
book's own structure:
- every numbered section ("1.2.3. The root account") is a document: the text between its heading and the next
  heading, without the heading itself, cut to --max-chars; its title is the chapter's title;
- a sample of sections become queries: the section's heading without its number ("The root account",
  "root 账户"); headings shared by several sections, and headings of fewer than two words (English) or four
  characters (Chinese), are left out as ambiguous;
- judgments: the section itself is relevant with grade 2; each of its direct subsections (whose topic the heading
  names) with grade 1.
With --mixed the corpus holds both languages (the same book twice: original and translation) and the queries come
from both; the translation of the query's section is relevant with grade 1 (same content, other language), its
subsections in the query's language with grade 1 too. That is the usual case of a mixed knowledge base: a
question in either language, relevant text in both.

With --book faq the same is built from the Debian FAQ (packages debian-faq, debian-faq-zh-cn): its numbered
sections are questions ("3.1.4. If I decide to switch to another distribution later, can I do that?"), so its
queries are natural questions and its documents their answers, where the reference's queries are topic headings.

  debian-reference-to-beir.py OUT_DIR --lang en|zh-cn|mixed [--book reference|faq] [--queries 300] [--seed 42]
                              [--max-chars 3000]
"""
import argparse, html, json, os, random, re, sys
from html.parser import HTMLParser

BOOKS = {
    # book: (directory of a language's HTML files, file name pattern of its chapters)
    "reference": (lambda lang: "/usr/share/debian-reference", lambda lang: r"(ch[0-9]+|ap[a-z])\.%s\.html" % re.escape(lang)),
    "faq": (lambda lang: "/usr/share/doc/debian/FAQ" + ("" if lang == "en" else "/" + lang),
            lambda lang: r"(?!index\.|faqinfo\.)[a-z-]+\.%s\.html" % re.escape(lang)),
}
HEADING = re.compile(r"^((?:[0-9]+|[A-Z])(?:\.[0-9]+)+)\.\s*(.*)$")


class Sections(HTMLParser):
    """Collects (number, heading, text) for every numbered h2..h4 heading, and the chapter's h1 title."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chapter, self.sections = "", []
        self.in_heading, self.heading_level, self.heading = False, 0, []
        self.skip = 0
        self.text = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        if re.fullmatch(r"h[1-4]", tag):
            self.in_heading, self.heading_level, self.heading = True, int(tag[1]), []
        elif tag in ("p", "br", "li", "tr", "pre", "div", "dt", "dd", "td", "th"):
            self.text.append("\n" if tag != "td" and tag != "th" else " ")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1
        if self.in_heading and tag == "h%d" % self.heading_level:
            self.in_heading = False
            title = re.sub(r"\s+", " ", "".join(self.heading)).strip()
            if self.heading_level == 1:
                self.chapter = re.sub(r"^(Chapter|Appendix)\s+\S+\s*|^第\s*\S+\s*章\s*|^附录\s*\S+\.?\s*", "", title).strip()
            self.flush()
            m = HEADING.match(title)
            self.sections.append([m.group(1), m.group(2).strip(), []] if m else None)

    def handle_data(self, data):
        if self.skip:
            return
        if self.in_heading:
            self.heading.append(data)
        else:
            self.text.append(data)

    def flush(self):
        if self.sections and self.sections[-1] is not None:
            self.sections[-1][2].append("".join(self.text))
        self.text = []

    def close(self):
        super().close()
        self.flush()


def read(book, lang, max_chars):
    """{number: (chapter, heading, text)} over every chapter and appendix of the book in one language."""
    result = {}
    directory, pattern = BOOKS[book][0](lang), BOOKS[book][1](lang)
    for name in sorted(os.listdir(directory)):
        if not re.fullmatch(pattern, name):
            continue
        parser = Sections()
        with open(os.path.join(directory, name), encoding="utf-8") as f:
            parser.feed(f.read())
        parser.close()
        for section in parser.sections:
            if section is None:
                continue
            number, heading, parts = section
            text = re.sub(r"[ \t\r\f\v]+", " ", html.unescape("".join(parts)))
            text = re.sub(r"\s*\n\s*", "\n", text).strip()
            result[number] = (parser.chapter, heading, text[:max_chars])
    return result


def han_share(text):
    han = sum(1 for c in text if "\u4e00" <= c <= "\u9fff")
    letters = sum(1 for c in text if c.isalpha())
    return han / letters if letters else 0


def usable_query(heading, lang):
    if lang == "zh-cn":
        return han_share(heading) >= 0.2 and sum(1 for c in heading if "\u4e00" <= c <= "\u9fff") >= 4
    return len(heading.split()) >= 2


def children(number, sections):
    depth = number.count(".")
    return [n for n in sections if n.startswith(number + ".") and n.count(".") == depth + 1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--lang", required=True, choices=["en", "zh-cn", "mixed"])
    ap.add_argument("--book", default="reference", choices=sorted(BOOKS))
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--max-chars", type=int, default=3000)
    args = ap.parse_args()
    langs = ["en", "zh-cn"] if args.lang == "mixed" else [args.lang]
    books = {lang: read(args.book, lang, args.max_chars) for lang in langs}
    docs, candidates = [], []
    for lang, sections in books.items():
        headings = {}
        for number, (chapter, heading, text) in sections.items():
            if len(text) >= 80:
                docs.append({"_id": "%s/%s" % (lang, number), "title": chapter, "text": text})
            headings.setdefault(heading.lower(), []).append(number)
        for number, (chapter, heading, text) in sections.items():
            if len(text) >= 80 and len(headings[heading.lower()]) == 1 and usable_query(heading, lang):
                candidates.append((lang, number, heading))
    have = {d["_id"] for d in docs}
    random.Random(args.seed).shuffle(candidates)
    chosen = candidates[: args.queries]
    os.makedirs(os.path.join(args.out, "qrels"), exist_ok=True)
    with open(os.path.join(args.out, "corpus.jsonl"), "w", encoding="utf-8") as f:
        for doc in docs:
            f.write(json.dumps(doc, ensure_ascii=False) + "\n")
    judged = 0
    with open(os.path.join(args.out, "queries.jsonl"), "w", encoding="utf-8") as q, \
            open(os.path.join(args.out, "qrels", "test.tsv"), "w", encoding="utf-8") as r:
        r.write("query-id\tcorpus-id\tscore\n")
        for i, (lang, number, heading) in enumerate(chosen):
            grades = {"%s/%s" % (lang, number): 2}
            for child in children(number, books[lang]):
                grades["%s/%s" % (lang, child)] = 1
            for other in langs:
                if other != lang and number in books[other]:
                    grades["%s/%s" % (other, number)] = 1
            grades = {d: g for d, g in grades.items() if d in have}
            q.write(json.dumps({"_id": "q%d" % i, "text": heading}, ensure_ascii=False) + "\n")
            for doc_id, grade in grades.items():
                r.write("q%d\t%s\t%d\n" % (i, doc_id, grade))
                judged += 1
    print("%d documents, %d queries, %d judgments -> %s" % (len(docs), len(chosen), judged, args.out), file=sys.stderr)


if __name__ == "__main__":
    main()
