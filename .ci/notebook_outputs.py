#!/usr/bin/env python3
"""Prints the text outputs of a notebook executed by `dotnet repl --run NB --exit-after-run --output-path OUT`
and fails (exit 1) if any cell has an error output or no picture was displayed. Standard library only.
  notebook_outputs.py EXECUTED.ipynb
"""
import json
import sys

nb = json.load(open(sys.argv[1], encoding="utf-8"))
errors = images = 0
for n, cell in enumerate(c for c in nb["cells"] if c["cell_type"] == "code"):
    for out in cell.get("outputs", []):
        kind = out.get("output_type")
        if kind == "error":
            errors += 1
            print(f"[cell {n + 1}] ERROR {out.get('ename')}: {out.get('evalue')}")
        elif kind == "stream":
            print("".join(out.get("text", [])), end="")
        elif kind in ("display_data", "execute_result"):
            data = out.get("data", {})
            html = "".join(data.get("text/html", []))
            if "image/png" in data or "data:image/png;base64," in html:
                images += 1
                print(f"[cell {n + 1}] picture displayed")
            elif "text/plain" in data:
                print("".join(data["text/plain"]))
print(f"{sys.argv[1]}: {errors} failed cell(s), {images} picture(s)")
sys.exit(1 if errors or images == 0 else 0)
