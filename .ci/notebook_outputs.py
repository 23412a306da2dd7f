#!/usr/bin/env python3
"""Notebook outputs, standard library only.

  notebook_outputs.py EXECUTED.ipynb
      Prints the text outputs of a notebook executed by `dotnet repl --run NB --exit-after-run --output-path OUT`;
      fails (exit 1) if any cell has an error output or no picture was displayed.
  notebook_outputs.py --store EXECUTED.ipynb NOTEBOOK.ipynb ROOT
      Copies the executed outputs into the committed NOTEBOOK (scripts/notebooks.sh): pictures shown as HTML <img>
      become image/png outputs (what GitHub and Jupyter render inline), ROOT/ in text becomes a relative path, and
      each code cell records the SHA-256 of the source its outputs came from (metadata coala.source_sha256).
  notebook_outputs.py --committed NOTEBOOK.ipynb [EXECUTED.ipynb]
      Checks a committed notebook (CI): every code cell has outputs made from its current source (the recorded
      hash matches), no error output, pictures present. With EXECUTED (CI's own run on the same small data), lists
      the text outputs that differ, timings aside (a warning: the last digits can move between CPUs).
"""
import copy
import hashlib
import json
import re
import sys

IMG = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=]+)")
SECONDS = re.compile(r"\b\d+(\.\d+)? s\b")


def transient(out):
    """The kernel's progress noise: "Installing Packages" frames and "Loading extensions from <cache path>"."""
    data = out.get("data", {})
    return "Installing Packages" in text(data.get("text/html", "")) or text(data.get("text/plain", "")).startswith("Loading extensions from")


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def text(lines):
    return "".join(lines) if isinstance(lines, list) else lines


def source_hash(cell):
    return hashlib.sha256(text(cell["source"]).encode("utf-8")).hexdigest()


def summarize(path, nb, quiet=False):
    errors = images = 0
    for n, cell in enumerate(code_cells(nb)):
        for out in cell.get("outputs", []):
            kind = out.get("output_type")
            if kind == "error":
                errors += 1
                print(f"[cell {n + 1}] ERROR {out.get('ename')}: {out.get('evalue')}")
            elif kind == "stream":
                if not quiet:
                    print(text(out.get("text", [])), end="")
            elif kind in ("display_data", "execute_result"):
                data = out.get("data", {})
                if "image/png" in data or IMG.search(text(data.get("text/html", ""))):
                    images += 1
                    if not quiet:
                        print(f"[cell {n + 1}] picture displayed")
                elif "text/plain" in data and not quiet:
                    print(text(data["text/plain"]))
    print(f"{path}: {errors} failed cell(s), {images} picture(s)")
    return errors, images


def split_lines(s):
    return s.splitlines(keepends=True)


def store(executed_path, notebook_path, root):
    executed, notebook = load(executed_path), load(notebook_path)
    errors, images = summarize(executed_path, executed, quiet=True)
    if errors or images == 0:
        sys.exit(f"{executed_path}: not stored ({errors} failed cell(s), {images} picture(s))")
    ran, mine = code_cells(executed), code_cells(notebook)
    if [text(c["source"]) for c in ran] != [text(c["source"]) for c in mine]:
        sys.exit(f"{executed_path}: its code cells differ from {notebook_path}'s")
    root = root.rstrip("/") + "/"
    for target, cell in zip(mine, ran):
        outputs = []
        for out in copy.deepcopy(cell.get("outputs", [])):
            if transient(out):
                continue
            if out.get("output_type") == "stream":
                out.pop("metadata", None)  # nbformat: a stream output has name and text only
                out["text"] = split_lines(text(out["text"]).replace(root, ""))
            elif out.get("output_type") in ("display_data", "execute_result"):
                data = out.get("data", {})
                m = IMG.search(text(data.get("text/html", "")))
                if m:
                    out = {"output_type": "display_data", "metadata": {}, "data": {"image/png": m.group(1), "text/plain": ["<image>"]}}
                else:
                    for k, v in list(data.items()):
                        if isinstance(v, (str, list)):
                            data[k] = split_lines(text(v).replace(root, ""))
                out.setdefault("metadata", {})
            outputs.append(out)
        target["outputs"] = outputs
        target["execution_count"] = cell.get("execution_count")
        target.setdefault("metadata", {})["coala"] = {"source_sha256": source_hash(target)}
    with open(notebook_path, "w", encoding="utf-8") as f:
        json.dump(notebook, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"{notebook_path}: outputs of {len(mine)} code cell(s) stored, {images} picture(s)")


def committed(notebook_path, executed_path=None):
    nb = load(notebook_path)
    problems = []
    for n, cell in enumerate(code_cells(nb)):
        recorded = cell.get("metadata", {}).get("coala", {}).get("source_sha256")
        if recorded != source_hash(cell):
            problems.append(f"code cell {n + 1}: its outputs were not made from its current source; run scripts/notebooks.sh")
    errors, images = summarize(notebook_path, nb, quiet=True)
    streams = sum(1 for c in code_cells(nb) for o in c.get("outputs", []) if o.get("output_type") == "stream")
    if errors:
        problems.append(f"{errors} error output(s)")
    if images < 2:
        problems.append(f"{images} picture(s), expected the confusion matrix and the embedding map")
    if streams == 0:
        problems.append("no printed output (data counts, accuracy)")
    if executed_path:
        def streams_of(book):
            return [[SECONDS.sub("N s", text(o["text"])) for o in c.get("outputs", []) if o.get("output_type") == "stream"]
                    for c in code_cells(book)]
        for n, (a, b) in enumerate(zip(streams_of(nb), streams_of(load(executed_path)))):
            if a != b:
                print(f"warning: code cell {n + 1} prints other text in this run than in the committed {notebook_path}")
    for p in problems:
        print(f"{notebook_path}: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--store"] and len(args) == 4:
        store(args[1], args[2], args[3])
    elif args[:1] == ["--committed"] and len(args) in (2, 3):
        sys.exit(committed(*args[1:]))
    elif len(args) == 1:
        errors, images = summarize(args[0], load(args[0]))
        sys.exit(1 if errors or images == 0 else 0)
    else:
        sys.exit(__doc__)
