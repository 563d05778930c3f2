"""Marked blocks of a document (<!-- NAME:begin ... --> ... <!-- NAME:end -->) that scripts regenerate from the
program: scripts/model_figures.py (docs/model.md, docs/validation.md, docs/calibration.md) and
scripts/vpop_figures.py (docs/vpop.md)."""
import re


def update(doc, blocks, check, tool):
    """Replaces each block of `blocks` (name -> text) in `doc`; with `check`, writes nothing and returns 1 when a
    block differs. Prints each difference."""
    with open(doc, encoding="utf-8") as fh:
        text = fh.read()
    new_text = text
    for name, body in blocks.items():
        pattern = re.compile(r"(<!-- %s:begin[^>]*-->\n)(.*?)(\n<!-- %s:end -->)" % (name, name), re.S)
        match = pattern.search(new_text)
        if not match:
            print("%s: no '%s' block in %s" % (tool, name, doc))
            return 1
        if match.group(2) != body:
            print("%s: block '%s' differs from the program:\n--- docs\n%s\n--- program\n%s"
                  % (tool, name, match.group(2), body))
        new_text = new_text[:match.start(2)] + body + new_text[match.end(2):]
    if check:
        ok = new_text == text
        print("%s: %s" % (tool, ("%s matches the program" % doc) if ok else "STALE: run scripts/%s.py" % tool))
        return 0 if ok else 1
    with open(doc, "w", encoding="utf-8") as fh:
        fh.write(new_text)
    return 0
