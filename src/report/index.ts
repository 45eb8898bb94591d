/** Run reports (self-contained HTML) and notebooks (Jupyter, Deno kernel). @module */
export { collectReport, reportSummary, type ReportData, type Found } from "./collect.js";
export { renderReport } from "./render.js";
export { notebookFor, type Notebook, type NotebookCell } from "./notebook.js";
export { loadCharts, type Charts } from "./charts.js";
