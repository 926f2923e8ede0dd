"""raftsite — everything about the site that runs raftcore in the browser.

Runtime (shipped in the wheel, imported in Pyodide): ``render`` (the SVG renderer) and
``browser`` (the bridge the glue calls). Build time only (never imported in the browser):
``markdown_ext`` and ``blocks`` (scene blocks), ``listings`` (source by qualified name),
``plugin`` (the thin MkDocs plugin). ``assets/`` holds the JS glue and the stylesheet.
"""
